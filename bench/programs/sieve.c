/* sieve: the sieve of Eratosthenes over a 10 MB byte array, repeated:
 * store-heavy memory traffic. Prints the number of primes found. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	int reps = argc > 1 ? atoi(argv[1]) : 5;
	size_t n = 10 * 1000 * 1000;
	unsigned char *s = malloc(n);
	long count = 0;
	for (int r = 0; r < reps; r++) {
		memset(s, 1, n);
		s[0] = s[1] = 0;
		for (size_t i = 2; i * i < n; i++)
			if (s[i])
				for (size_t j = i * i; j < n; j += i) s[j] = 0;
		count = 0;
		for (size_t i = 0; i < n; i++) count += s[i];
	}
	printf("%ld\n", count);
	return 0;
}
