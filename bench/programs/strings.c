/* strings: libc string functions (memcpy, memset, strlen, strchr, memcmp,
 * strcpy) over buffers of many sizes, as real programs call them. Prints a
 * checksum. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	int reps = argc > 1 ? atoi(argv[1]) : 1000;
	static char a[65536], b[65536];
	unsigned long sum = 0;
	for (int i = 0; i < (int)sizeof a; i++) a[i] = 'a' + i % 26;
	a[sizeof a - 1] = 0;
	for (int r = 0; r < reps; r++) {
		for (size_t len = 1; len < sizeof a; len = len * 3 / 2 + 1) {
			memcpy(b, a, len);
			b[len - 1] = 0;
			sum += strlen(b);
			char *p = strchr(b, 'z');
			sum += p ? (size_t)(p - b) : 0;
			sum += memcmp(a, b, len - 1) == 0;
			memset(b, r & 0xff, len);
			strcpy(b, a + (sizeof a - 1 - (len < 4096 ? len : 4096)));
			sum += b[0];
		}
	}
	printf("%lu\n", sum);
	return 0;
}
