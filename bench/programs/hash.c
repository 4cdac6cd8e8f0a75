/* hash: an integer hash loop (FNV-1a and a xorshift mix over 200M steps):
 * registers and ALU only, the best case for an emulator. Prints the hash so
 * the work cannot be optimised away and the result can be checked. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	uint64_t n = argc > 1 ? strtoull(argv[1], 0, 10) : 50000000ULL;
	uint64_t h = 1469598103934665603ULL, x = 88172645463325252ULL;
	for (uint64_t i = 0; i < n; i++) {
		x ^= x << 13; x ^= x >> 7; x ^= x << 17;
		h = (h ^ (x & 0xff)) * 1099511628211ULL;
	}
	printf("%016llx\n", (unsigned long long)h);
	return 0;
}
