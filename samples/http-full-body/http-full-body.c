/* http-full-body: the correct twin of http-short-body. Every response carries exactly what its
 * head declared, over loopback TCP with a client thread reading to EOF:
 *   A  Content-Length 100000, the whole body in several writes, shutdown(SHUT_WR), close.
 *   B  chunked: three chunks, then 0\r\n\r\n in a write of its own, close.
 *   C  two pipelined responses, both complete, close.
 *   D  a HEAD request: the answer declares Content-Length 100000 and has no body (RFC 9110
 *      §9.3.2), then close. */
#include "../http-common/http-sample.h"

static void write_all(int fd, const char *buf, size_t len) {
  if (write(fd, buf, len) != (ssize_t)len) die("write");
}

static int serve(int listener, struct client *cl, char *req, size_t size) {
  client_start(cl);
  int fd = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
  if (fd < 0) die("accept4");
  read_request(fd, req, size);
  return fd;
}

int main(void) {
  truth_open();
  int listener = listen_local();
  char req[4096];
  char *body = make_body(1 << 17, 'a');

  struct client a = {.request = "GET /report.csv HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"};
  int fd = serve(listener, &a, req, sizeof req);
  static const char head_a[] = "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n";
  write_all(fd, head_a, sizeof head_a - 1);
  for (int i = 0; i < 4; i++) write_all(fd, body, 16384);
  write_all(fd, body, 100000 - 65536);
  if (shutdown(fd, SHUT_WR) < 0) die("shutdown");
  close(fd);
  truth_ok(fd, "Content-Length 100000, all sent");
  client_join(&a);
  long long want = (long long)sizeof head_a - 1 + 100000;
  truth_demo("A: whole Content-Length body", a.received == want, want, a.received, a.reset);

  struct client b = {.request = "GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"};
  fd = serve(listener, &b, req, sizeof req);
  static const char head_b[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  write_all(fd, head_b, sizeof head_b - 1);
  static char chunk[6 + 16384 + 2];
  memcpy(chunk, "4000\r\n", 6);
  memcpy(chunk + 6, body, 16384);
  memcpy(chunk + 6 + 16384, "\r\n", 2);
  for (int i = 0; i < 3; i++) write_all(fd, chunk, sizeof chunk);
  write_all(fd, "0\r\n\r\n", 5);
  close(fd);
  truth_ok(fd, "chunked with its terminator");
  client_join(&b);
  want = (long long)sizeof head_b - 1 + 3 * (long long)sizeof chunk + 5;
  truth_demo("B: chunked body with its terminator", b.received == want, want, b.received, b.reset);

  struct client c = {.request = "GET /a HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nGET /b HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"};
  fd = serve(listener, &c, req, sizeof req);
  static const char head_c1[] = "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n";
  static const char head_c2[] = "HTTP/1.1 200 OK\r\nContent-Length: 50000\r\n\r\n";
  write_all(fd, head_c1, sizeof head_c1 - 1);
  write_all(fd, body, 1000);
  write_all(fd, head_c2, sizeof head_c2 - 1);
  write_all(fd, body, 50000);
  close(fd);
  truth_ok(fd, "two pipelined responses, both complete");
  client_join(&c);
  want = (long long)sizeof head_c1 - 1 + 1000 + (long long)sizeof head_c2 - 1 + 50000;
  truth_demo("C: both pipelined responses complete", c.received == want, want, c.received, c.reset);

  struct client d = {.request = "HEAD /report.csv HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"};
  fd = serve(listener, &d, req, sizeof req);
  write_all(fd, head_a, sizeof head_a - 1);
  close(fd);
  truth_ok(fd, "HEAD: Content-Length without a body");
  client_join(&d);
  want = (long long)sizeof head_a - 1;
  truth_demo("D: HEAD response, head only", d.received == want, want, d.received, d.reset);

  close(listener);
  return 0;
}
