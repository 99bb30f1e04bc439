// A CSV file for the ward's own records: UTF-8 with a byte-order mark (so Excel reads the
// Vietnamese letters), CRLF lines, every field quoted when it needs to be (RFC 4180).
// A field starting with = + - @ is prefixed with ' so a spreadsheet never runs it as a formula.
const quote = (value) => {
  let text = String(value ?? "");
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n;]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

export const toCsv = (rows) => "\uFEFF" + rows.map((row) => row.map(quote).join(",")).join("\r\n") + "\r\n";

/** Save `content` (CSV text, or a Blob) as a file named `name`. */
export function download(name, content) {
  const blob = content instanceof Blob ? content : new Blob([content], { type: "text/csv;charset=utf-8" });
  const url = URL.createObjectURL(blob);
  const link = Object.assign(document.createElement("a"), { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
