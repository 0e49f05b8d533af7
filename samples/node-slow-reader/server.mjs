// node-slow-reader (server): a plain Node.js HTTP server answers one request with a body much
// larger than the socket buffers. The client reads slowly, so libuv's writes come back short or
// with EAGAIN; libuv keeps the rest queued, waits for EPOLLOUT, drains the queue, and only then
// (res.end() -> socket.end() -> uv_shutdown) calls shutdown(fd, SHUT_WR). Nothing is lost.
import fs from "node:fs";
import http from "node:http";

const bodyBytes = Number(process.env.BODY_BYTES ?? 8388608);
const body = Buffer.alloc(bodyBytes, "abcdefghijklmnopqrstuvwxyz");
const truthFd = fs.openSync(process.env.TRUTH_FILE ?? "/dev/null", "w");

const server = http.createServer((req, res) => {
  res.writeHead(200, {
    "Content-Type": "application/octet-stream",
    "Content-Length": String(body.length),
    Connection: "close",
  });
  res.end(body);
  const socket = req.socket;
  socket.on("close", (hadError) => {
    // bytesWritten counts what was handed to the socket (headers included): with no error and
    // a clean close, libuv has written all of it to the kernel.
    const record = { kind: "clean", pid: process.pid, intended: socket.bytesWritten, hadError };
    fs.writeSync(truthFd, JSON.stringify(record) + "\n");
    console.log(`response of ${body.length} body bytes finished, socket closed`);
    server.close();
  });
});

// A watchdog for runs whose client never comes (unref'd: it never keeps the process alive).
setTimeout(() => {
  console.error("no request within 30 s");
  process.exit(3);
}, 30000).unref();

server.listen(0, "127.0.0.1", () => {
  const { port } = server.address();
  console.log(`listening on 127.0.0.1:${port}`);
  fs.writeFileSync(process.env.PORT_FILE, `${port}\n`);
});
