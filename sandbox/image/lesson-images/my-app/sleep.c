/* The "my-app" sleep tool: prints a tick every second, forever (for `docker exec`). */
#include <stdio.h>
#include <unistd.h>

int main(void) {
  for (unsigned long i = 1;; i++) {
    printf("sleeping... %lu\n", i);
    fflush(stdout);
    sleep(1);
  }
}
