/* node-slow-reader (client, not traced): waits for the server's port file, sends one GET, and reads
 * the response slowly with a small receive buffer, so the server's writes hit EAGAIN. It checks
 * the body against Content-Length and appends its verdict to $TRUTH_FILE. */
#include "../common/sample.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>

int main(void) {
  const char *port_file = getenv("PORT_FILE");
  if (!port_file) die("PORT_FILE");
  int port = 0;
  struct timespec tick = {.tv_sec = 0, .tv_nsec = 10000000};
  for (int i = 0; i < 3000 && port == 0; i++) {
    FILE *f = fopen(port_file, "r");
    if (f) {
      if (fscanf(f, "%d", &port) != 1) port = 0;
      fclose(f);
    }
    if (port == 0) nanosleep(&tick, NULL);
  }
  if (port == 0) die("server never listened");

  int fd = socket(AF_INET, SOCK_STREAM, 0);
  int rcvbuf = 16384;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) die("connect");
  static const char request[] = "GET /download HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  if (write(fd, request, sizeof request - 1) != (ssize_t)(sizeof request - 1)) die("request");

  static char response[1 << 24];
  long long total = 0;
  struct timespec pause = {.tv_sec = 0, .tv_nsec = 2000000};
  for (;;) {
    nanosleep(&pause, NULL);
    size_t room = sizeof response - (size_t)total;
    ssize_t n = read(fd, response + total, room < 65536 ? room : 65536);
    if (n < 0) die("read");
    if (n == 0) break;
    total += n;
  }
  response[total < (long long)sizeof response ? total : (long long)sizeof response - 1] = 0;
  char *end = strstr(response, "\r\n\r\n");
  char *cl = strstr(response, "Content-Length: ");
  long long content_length = cl ? atoll(cl + 16) : -1;
  long long body = end ? total - (end + 4 - response) : -1;

  const char *path = getenv("TRUTH_FILE");
  int tfd = open(path ? path : "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0644);
  char line[256];
  int len = snprintf(line, sizeof line,
                     "{\"kind\":\"client\",\"contentLength\":%lld,\"bodyReceived\":%lld,\"totalReceived\":%lld}\n",
                     content_length, body, total);
  if (tfd < 0 || write(tfd, line, (size_t)len) != len) die("truth");
  close(fd);
  return body == content_length ? 0 : 5;
}
