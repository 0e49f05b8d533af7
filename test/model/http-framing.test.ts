// HTTP/1.x framing over the bytes a stream carried, as strace shows them (the first -s bytes of
// each buffer): Content-Length, chunked, pipelined messages, HEAD-less checks, lost framing.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { HttpFramer, MAX_HEAD_BYTES } from "../../src/model/http-framing.js";
import type { Piece } from "../../src/model/http-framing.js";

/** A whole buffer strace printed in full. */
const seen = (s: string): Piece => ({ known: s, length: s.length });
/** A buffer of `length` bytes of which strace printed `shown`. */
const cut = (shown: string, length: number): Piece => ({ known: shown, length });

describe("HTTP framing", () => {
  test("Content-Length: open until head + length bytes were carried", () => {
    const f = new HttpFramer("response");
    const head = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n";
    f.consume([seen(head)]);
    assert.deepEqual(
      { ...f.openMessage(), startLine: f.openMessage()?.startLine },
      { index: 1, startLine: "HTTP/1.1 200 OK", headBytes: head.length, contentLength: 100, chunked: false, declaredBytes: head.length + 100, deliveredBytes: head.length, inTerminator: false },
    );
    f.consume([cut("abc", 60)]);
    assert.equal(f.openMessage()?.deliveredBytes, head.length + 60);
    assert.equal(f.bodyRemaining, 40);
    f.consume([cut("", 40)]);
    assert.equal(f.openMessage(), null);
    assert.equal(f.completed, 1);
  });

  test("bytes are read for their content only where the framing looks at them", () => {
    const f = new HttpFramer("response");
    assert.equal(f.needsBytes(10), true, "a head is read");
    f.consume([seen("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n")]);
    assert.equal(f.needsBytes(60), false, "inside the body: counted");
    assert.equal(f.needsBytes(100), false, "up to the body's end: counted");
    assert.equal(f.needsBytes(101), true, "past it the next head begins");
    f.consume([{ known: "", length: 100 }]);
    assert.equal(f.completed, 1, "counting alone ends the message");
    assert.equal(f.needsBytes(1), true);
    f.stop();
    assert.equal(f.needsBytes(1), false, "nothing is read once checking stopped");
  });

  test("a head and its body in one buffer, the body cut by -s", () => {
    const f = new HttpFramer("response");
    const head = "HTTP/1.0 200 OK\r\ncontent-length:  10 \r\n\r\n";
    f.consume([cut(`${head}01234`, head.length + 10)]);
    assert.equal(f.openMessage(), null);
    assert.equal(f.completed, 1);
  });

  test("pipelined responses: the second one is open", () => {
    const f = new HttpFramer("response");
    f.consume([seen("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"), seen("HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\n"), seen("1234")]);
    const m = f.openMessage();
    assert.equal(m?.index, 2);
    assert.equal(m?.startLine, "HTTP/1.1 404 Not Found");
    assert.equal(m?.deliveredBytes, "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\n".length + 4);
  });

  test("chunked: open until 0\\r\\n\\r\\n, chunk data skipped by count", () => {
    const f = new HttpFramer("response");
    f.consume([seen("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")]);
    f.consume([cut("4000\r\nxxxxxxxx", 6 + 16384 + 2)]);
    assert.equal(f.openMessage()?.chunked, true);
    assert.equal(f.openMessage()?.declaredBytes, null);
    f.consume([seen("a;ext=1\r\n0123456789\r\n")]);
    assert.notEqual(f.openMessage(), null);
    f.consume([seen("0\r\n")]);
    assert.equal(f.openMessage()?.inTerminator, true);
    f.consume([seen("Trailer: x\r\n\r\n")]);
    assert.equal(f.openMessage(), null);
    assert.equal(f.completed, 1);
  });

  test("1xx interim heads, 204 and 304 carry no body", () => {
    const f = new HttpFramer("response");
    f.consume([seen("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\nContent-Length: 50\r\n\r\n")]);
    assert.equal(f.openMessage(), null);
    f.consume([seen("HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\n\r\n")]);
    assert.equal(f.openMessage(), null);
    assert.equal(f.completed, 2);
  });

  test("not HTTP, a body delimited by close, an upgrade, conflicting lengths: nothing checked", () => {
    for (const bytes of [
      "GET / HTTP/1.1\r\n\r\n",
      "SSH-2.0-OpenSSH_9.2\r\n",
      "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n",
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
    ]) {
      const f = new HttpFramer("response");
      f.consume([seen(bytes)]);
      assert.equal(f.openMessage(), null, JSON.stringify(bytes));
      assert.equal(f.active, false, JSON.stringify(bytes));
    }
  });

  test("a head cut by -s: framing lost and said so; first bytes unseen: never HTTP", () => {
    const f = new HttpFramer("response");
    f.consume([cut("HTTP/1.1 200 OK\r\nContent-Len", 300)]);
    assert.equal(f.headCut, true);
    assert.equal(f.openMessage(), null);
    const g = new HttpFramer("response");
    g.consume([cut("", 4096)]);
    assert.equal(g.headCut, false);
    assert.equal(g.active, false);
  });

  test("a chunk-size line that strace did not show loses the framing (no claim)", () => {
    const f = new HttpFramer("response");
    f.consume([seen("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"), cut("10\r\n0123456789abcdef\r\n", 40)]);
    assert.equal(f.active, false);
    assert.equal(f.openMessage(), null);
  });

  test("requests: the method and the declared body", () => {
    const heads: string[] = [];
    const f = new HttpFramer("request", (h) => heads.push(h.method ?? "?"));
    f.consume([cut("POST /upload HTTP/1.1\r\nContent-Length: 65536\r\n\r\nAAAA", 1024)]);
    assert.deepEqual(heads, ["POST"]);
    assert.equal(f.bodyRemaining, 65536 - (1024 - "POST /upload HTTP/1.1\r\nContent-Length: 65536\r\n\r\n".length));
    const g = new HttpFramer("request");
    g.consume([seen("GET / HTTP/1.1\r\nHost: x\r\n\r\n")]);
    assert.equal(g.bodyRemaining, 0);
    assert.equal(g.completed, 1);
    const h = new HttpFramer("request");
    h.consume([seen("HTTP/1.1 200 OK\r\n\r\n")]);
    assert.equal(h.active, false);
  });
});

/** Random HTTP/1.x traffic: heads of both sides and broken ones, bodies by length or chunked,
 *  blank lines as CRLF or bare LF, heads near MAX_HEAD_BYTES. Seeded: the same every run. */
function randomTraffic(seed: number): string {
  let x = seed;
  const rnd = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)]!;
  let text = "";
  for (let m = 1 + Math.floor(rnd() * 4); m > 0; m--) {
    const start = pick(["HTTP/1.1 200 OK", "HTTP/1.0 404 Not Found", "HTTP/1.1 204 No Content", "HTTP/1.1 100 Continue", "HTTP/1.1 304 NM", "HTTP/2 200",
      "GET / HTTP/1.1", "POST /x HTTP/1.1", "HEAD / HTTP/1.0", "get / HTTP/1.1", "GET /", "", "garbage", "H", "\n\r\n"]);
    const headers: string[] = [];
    for (let n = Math.floor(rnd() * 4); n > 0; n--) {
      headers.push(pick(["Host: a", `Content-Length: ${Math.floor(rnd() * 30)}`, "content-length:3 ", "Transfer-Encoding: chunked", "Transfer-Encoding: gzip", "Bad header", "Content-Length: x"]));
    }
    let head = [start, ...headers].join(pick(["\r\n", "\r\n", "\n"])) + pick(["\r\n\r\n", "\r\n\r\n", "\n\n", "\r\n"]);
    if (rnd() < 0.03) head = "A".repeat(MAX_HEAD_BYTES - 12 + Math.floor(rnd() * 20)) + head;
    let body = "";
    const length = headers.map((h) => /content-length: *(\d+)/i.exec(h)).find((l) => l !== null);
    if (headers.some((h) => h.endsWith("chunked"))) {
      for (let k = Math.floor(rnd() * 3); k > 0; k--) {
        const n = 1 + Math.floor(rnd() * 20);
        body += n.toString(16) + pick(["\r\n", "\n", ";x\r\n"]) + "b".repeat(n) + "\r\n";
      }
      body += "0\r\n" + pick(["\r\n", "T: 1\r\n\r\n", "\n"]);
    } else if (length != null) body = "z".repeat(Math.max(0, Number(length[1]) + (rnd() < 0.2 ? Math.floor(rnd() * 5) - 2 : 0)));
    text += head + body;
  }
  return text;
}

test("the framing reads a stream the same whatever pieces it comes in, a character at a time included", () => {
  let heads = 0;
  for (let seed = 1; seed <= 4000; seed++) {
    const text = randomTraffic(seed);
    const side = (["response", "request", "either"] as const)[seed % 3]!;
    const read = (pieces: Piece[]) => {
      const seenHeads: unknown[] = [];
      const f = new HttpFramer(side, (h) => seenHeads.push(h));
      for (const p of pieces) f.consume([p]);
      return { heads: seenHeads, active: f.active, completed: f.completed, open: f.openMessage(), headCut: f.headCut, atEnd: f.atMessageEnd, bodyRemaining: f.bodyRemaining };
    };
    const whole = read([seen(text)]);
    // Pieces of 1 to 40 characters, cut anywhere (inside a "\r\n\r\n" too).
    const pieces: Piece[] = [];
    for (let at = 0, k = seed; at < text.length; k++) {
      const n = 1 + ((k * 7919) % 40);
      pieces.push(seen(text.slice(at, at + n)));
      at += n;
    }
    assert.deepEqual(read(pieces), whole, `seed ${seed} in pieces: ${JSON.stringify(text)}`);
    assert.deepEqual(read([...text].map(seen)), whole, `seed ${seed} a character at a time: ${JSON.stringify(text)}`);
    heads += whole.heads.length;
  }
  assert.ok(heads > 500, `${heads} heads read`);
});
