/* exit-pipe-unsent: the teardown spelling of the bug (nodejs/node#53242: process.exit() right after
 * a big console.log into a pipe). A report is written to a non-blocking pipe whose reader has not
 * read yet: the pipe takes 65536 bytes, the retry of the remainder gets EAGAIN, and the program
 * exits at once. The process was the last holder of the pipe, so the tail dies with it:
 * exit-with-unsent (a warning) at the exit_group() line. */
#include "../common/sample.h"

int main(void) {
  truth_open();
  int p[2];
  if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0) die("pipe2");
  int reader = p[0], writer = p[1];
  (void)reader; /* held, never read: the consumer has not caught up */

  const long long len = 200000;
  char *report = make_body((size_t)len, 'a');
  for (long long i = 79; i < len; i += 80) report[i] = '\n';
  long long accepted = 0;
  say(2, "writing a %lld-byte report to the pipe\n", len);
  while (accepted < len) {
    ssize_t k = write(writer, report + accepted, (size_t)(len - accepted));
    if (k < 0 && errno == EAGAIN) break;
    if (k < 0) die("write");
    accepted += k;
  }
  if (accepted == len) {
    say(2, "sample: the pipe took everything; nothing to demonstrate\n");
    return 4;
  }
  /* The bug: exit while the report's tail is still in our buffer. The oracle record goes out just
   * before, since nothing runs after exit_group(). */
  truth_loss("exit-with-unsent", writer, len, accepted);
  exit(0);
}
