// Server-Sent Events over fetch: EventSource cannot send the Authorization header.
// Reconnects with Last-Event-ID, so the server resumes where the stream broke off.

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function parseBlock(block) {
  const event = { event: "message", data: undefined, id: undefined };
  const data = [];
  for (const line of block.split("\n")) {
    if (!line || line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "data") data.push(value);
    else if (field === "event") event.event = value;
    else if (field === "id") event.id = value;
  }
  if (data.length) event.data = data.join("\n");
  return event;
}

export function openFeed(url, token, onEvent, onState) {
  let stopped = false;
  let lastId = null;
  let controller = null;

  async function readStream(response) {
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value.replace(/\r\n?/g, "\n");
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const event = parseBlock(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        if (event.id) lastId = event.id;
        if (event.data !== undefined) onEvent(event.event, JSON.parse(event.data));
      }
    }
  }

  async function loop() {
    while (!stopped) {
      controller = new AbortController();
      try {
        const headers = { authorization: `Bearer ${token}`, accept: "text/event-stream" };
        if (lastId) headers["last-event-id"] = lastId;
        const response = await fetch(url, { headers, signal: controller.signal });
        if (response.status === 401 || response.status === 403) { onState("denied"); return; }
        if (response.ok) { onState("open"); await readStream(response); }
      } catch (error) {
        if (stopped) return;
      }
      onState("closed");
      await sleep(2000);
    }
  }

  loop();
  return () => { stopped = true; if (controller) controller.abort(); };
}
