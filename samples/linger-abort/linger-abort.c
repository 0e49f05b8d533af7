/* linger-abort: HAProxy's "silent close" (BUGCLASS.md #5) on loopback TCP. The server answers a
 * request with a complete 512 KiB HTTP response in one write that the kernel fully accepts, then
 * sets SO_LINGER {l_onoff=1, l_linger=0} and closes at once. The client thread has not started
 * reading yet (it waits 200 ms), so most of the response is still queued: the close sends an RST
 * and the kernel discards its send queue. The client gets part of the body and ECONNRESET. */
#include "../http-common/http-sample.h"

#define BODY (512 * 1024)

int main(void) {
  truth_open();
  int listener = listen_local();
  char req[4096];
  struct client cl = {.request = "GET /big HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", .delay_ms = 200};
  client_start(&cl);
  int fd = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
  if (fd < 0) die("accept4");
  read_request(fd, req, sizeof req);

  char head[128];
  int head_len = snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n", BODY);
  long long total = head_len + (long long)BODY;
  char *resp = malloc((size_t)total);
  if (!resp) die("malloc");
  memcpy(resp, head, (size_t)head_len);
  char *body = make_body(BODY, 'a');
  memcpy(resp + head_len, body, BODY);
  if (send_all(fd, resp, total) != total) die("send");

  struct linger lg = {.l_onoff = 1, .l_linger = 0};
  if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg) < 0) die("setsockopt");
  close(fd);
  truth_finding("abortive-close", "close", fd, 0, 0, "SO_LINGER {1,0} with the response still queued");
  client_join(&cl);
  truth_demo("the client lost part of a response the kernel had accepted", cl.received < total && cl.reset, total,
             cl.received, cl.reset);
  close(listener);
  return 0;
}
