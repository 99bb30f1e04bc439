// Reading QR codes: the browser's BarcodeDetector where it has one (Android,
// ChromeOS, macOS), else jsQR (vendored) on canvas frames. Camera or photo.
let detector = null;
let stream = null;
let timer = null;
const canvas = document.createElement("canvas");
const context = canvas.getContext("2d", { willReadFrequently: true });

export async function setUp() {
  if ("BarcodeDetector" in window) {
    const formats = await window.BarcodeDetector.getSupportedFormats().catch(() => []);
    if (formats.includes("qr_code")) detector = new window.BarcodeDetector({ formats: ["qr_code"] });
  }
  return detector ? "BarcodeDetector" : "jsQR";
}

async function read(source, width, height) {
  if (detector) {
    const codes = await detector.detect(source).catch(() => []);
    return codes.length ? codes[0].rawValue : null;
  }
  canvas.width = width;
  canvas.height = height;
  context.drawImage(source, 0, 0, width, height);
  const pixels = context.getImageData(0, 0, width, height);
  const code = window.jsQR(pixels.data, width, height, { inversionAttempts: "attemptBoth" });
  return code ? code.data : null;
}

export async function fromFile(file) {
  const bitmap = await createImageBitmap(file);
  try {
    return await read(bitmap, bitmap.width, bitmap.height);
  } finally {
    bitmap.close();
  }
}

export function stop(video) {
  clearInterval(timer);
  timer = null;
  if (stream) stream.getTracks().forEach((track) => track.stop());
  stream = null;
  video.srcObject = null;
  video.hidden = true;
}

// Calls onCode(text) once, with the first code seen, then stops the camera.
export async function start(video, onCode) {
  stream = await navigator.mediaDevices.getUserMedia({
    video: { facingMode: "environment", width: { ideal: 1280 }, height: { ideal: 720 } }, audio: false,
  });
  video.srcObject = stream;
  video.hidden = false;
  await video.play();
  let busy = false;
  timer = setInterval(async () => {
    if (busy || !video.videoWidth) return;
    busy = true;
    try {
      const text = await read(video, video.videoWidth, video.videoHeight);
      if (text && timer) {
        stop(video);
        onCode(text);
      }
    } finally {
      busy = false;
    }
  }, 150);
}
