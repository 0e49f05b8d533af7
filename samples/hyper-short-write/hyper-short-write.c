/* hyper-short-write: the exact shape of the trace Cloudflare saw in hyper (issue 4022). An HTTP/1.1
 * server on 127.0.0.1 answers one request with a body far larger than the socket buffers, in ONE
 * non-blocking sendto(). The kernel takes part of it (a short write, no EAGAIN at all); the server
 * treats the response as flushed and half-closes with shutdown(fd, SHUT_WR). The client, which had
 * not been reading yet, then reads to EOF and gets a clean end of stream and a short body. */
#include "../common/sample.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

int main(void) {
  truth_open();
  int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listener < 0) die("socket");
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t addr_len = sizeof addr;
  if (bind(listener, (struct sockaddr *)&addr, sizeof addr) < 0) die("bind");
  if (listen(listener, 8) < 0) die("listen");
  if (getsockname(listener, (struct sockaddr *)&addr, &addr_len) < 0) die("getsockname");

  /* The client: connects, sends its request, then (slow reader) does not read for a while. */
  int client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (client < 0) die("socket");
  if (connect(client, (struct sockaddr *)&addr, sizeof addr) < 0) die("connect");
  static const char request[] = "GET /assets/bundle.tar HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  if (write(client, request, sizeof request - 1) != (ssize_t)(sizeof request - 1)) die("request");

  int conn = accept4(listener, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
  if (conn < 0) die("accept4");
  char req[1024];
  if (recvfrom(conn, req, sizeof req, 0, NULL, NULL) <= 0) die("recvfrom");

  /* The response the hyper report had: Content-Length 14896092. */
  const size_t body_len = 14896092;
  char header[256];
  int header_len = snprintf(header, sizeof header,
                            "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\nContent-Type: application/x-tar\r\n"
                            "Connection: close\r\nDate: Tue, 10 Feb 2026 12:59:18 GMT\r\n\r\n",
                            body_len);
  long long intended = header_len + (long long)body_len;
  char *response = malloc((size_t)intended);
  if (!response) die("malloc");
  memcpy(response, header, (size_t)header_len);
  char *body = make_body(body_len, 'a');
  memcpy(response + header_len, body, body_len);
  say(1, "responding with %lld bytes\n", intended);

  ssize_t k = sendto(conn, response, (size_t)intended, MSG_NOSIGNAL, NULL, 0);
  if (k < 0) die("sendto");
  long long accepted = k;
  if (accepted == intended) {
    say(2, "sample: the socket took everything; nothing to demonstrate\n");
    return 4;
  }

  /* The bug: the flush returned "pending", the dispatcher ignored it and shut the connection. */
  if (shutdown(conn, SHUT_WR) < 0) die("shutdown");
  truth_loss("shutdown-with-unsent", conn, intended, accepted);

  long long got = drain_to_eof(client);
  say(2, "client received %lld bytes, Content-Length promised %lld (%lld lost)\n", got, intended,
      intended - got);
  close(conn);
  close(client);
  close(listener);
  return 0;
}
