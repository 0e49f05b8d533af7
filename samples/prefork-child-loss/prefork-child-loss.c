/* prefork-child-loss: the classic forking server. The parent accepts a TCP connection on
 * 127.0.0.1, forks a worker, and closes its own copy of the connection at once (not a loss: the
 * worker holds it). The worker reads the request, sends a response far larger than the socket
 * buffers with send(): a short write, then EAGAIN on the remainder; it gives up and close()s the
 * connection. It was the last holder: close-with-unsent, in the worker. A pipe makes the worker
 * wait until the parent has closed its copy, so "last holder" does not depend on scheduling. */
#include "../common/sample.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>

int main(void) {
  truth_open();
  int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listener < 0) die("socket");
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t addr_len = sizeof addr;
  if (bind(listener, (struct sockaddr *)&addr, sizeof addr) < 0) die("bind");
  if (listen(listener, 8) < 0) die("listen");
  if (getsockname(listener, (struct sockaddr *)&addr, &addr_len) < 0) die("getsockname");

  /* The client (kept in the parent): sends a request, then does not read until the end. */
  int client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (client < 0) die("socket");
  if (connect(client, (struct sockaddr *)&addr, sizeof addr) < 0) die("connect");
  static const char request[] = "GET /export.csv HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
  if (write(client, request, sizeof request - 1) != (ssize_t)(sizeof request - 1)) die("request");

  int conn = accept4(listener, NULL, NULL, SOCK_NONBLOCK);
  if (conn < 0) die("accept4");
  int go[2];
  if (pipe2(go, O_CLOEXEC) < 0) die("pipe2");
  say(1, "accepted a connection on fd %d, forking a worker\n", conn);

  pid_t worker = fork();
  if (worker < 0) die("fork");
  if (worker == 0) {
    sample_ids_refresh();
    close(listener);
    close(client);
    close(go[1]);
    char token;
    if (read(go[0], &token, 1) != 1) die("go");
    char req[1024];
    if (recv(conn, req, sizeof req, 0) <= 0) die("recv");
    const size_t body_len = 6291456;
    char header[160];
    int header_len = snprintf(header, sizeof header,
                              "HTTP/1.0 200 OK\r\nContent-Type: text/csv\r\nContent-Length: %zu\r\n\r\n", body_len);
    long long len = header_len + (long long)body_len;
    char *response = make_body((size_t)len, 'a');
    memcpy(response, header, (size_t)header_len);
    long long accepted = 0;
    while (accepted < len) {
      ssize_t k = send(conn, response + accepted, (size_t)(len - accepted), MSG_NOSIGNAL);
      if (k < 0 && errno == EAGAIN) break;
      if (k < 0) die("send");
      accepted += k;
    }
    if (accepted == len) {
      say(2, "sample: the socket took everything; nothing to demonstrate\n");
      _exit(4);
    }
    /* The bug: the worker's event loop gives up on a stalled client and closes. */
    if (close(conn) < 0) die("close");
    truth_loss("close-with-unsent", conn, len, accepted);
    _exit(0);
  }

  /* The parent keeps no reference to the connection: the worker owns it now. */
  close(go[0]);
  if (close(conn) < 0) die("close");
  if (write(go[1], "x", 1) != 1) die("go");
  int status;
  if (waitpid(worker, &status, 0) != worker) die("waitpid");
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    say(2, "sample: worker failed\n");
    return 4;
  }
  long long got = drain_to_eof(client);
  say(2, "client received %lld bytes before EOF\n", got);
  close(client);
  close(listener);
  return 0;
}
