// Server-Sent Events over fetch: EventSource cannot send the Authorization header.
// Reconnects with Last-Event-ID, so the server resumes where the stream broke off, and
// with a fresh access token each time (`token` is a function: a token lasts minutes,
// the page hours).

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
  let refused = 0;

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
      let bearer;
      try {
        bearer = await token();
      } catch {
        onState("denied"); // signed out: nothing to connect with
        return;
      }
      if (stopped) return;
      try {
        const headers = { authorization: `Bearer ${bearer}`, accept: "text/event-stream" };
        if (lastId) headers["last-event-id"] = lastId;
        const response = await fetch(url, { headers, signal: controller.signal });
        // 401: that token, perhaps just expired; a second in a row, or a 403, is a refusal.
        refused = response.status === 401 ? refused + 1 : 0;
        if (response.status === 403 || refused > 1) { onState("denied"); return; }
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
