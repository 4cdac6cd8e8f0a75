/*
 * kemu's vDSO: the page the kernel maps into every process and announces
 * with AT_SYSINFO_EHDR (Linux arch/x86/entry/vdso/). Linux's vDSO reads
 * clocks from a shared page without entering the kernel; kemu's functions
 * make the real system call, which keeps the same ABI and results. libc
 * finds them by name and version (LINUX_2.6), as it finds Linux's.
 */
	.text

	.globl	__vdso_clock_gettime
	.type	__vdso_clock_gettime, @function
__vdso_clock_gettime:
	movl	$228, %eax		/* __NR_clock_gettime */
	syscall
	ret
	.size	__vdso_clock_gettime, .-__vdso_clock_gettime

	.globl	__vdso_gettimeofday
	.type	__vdso_gettimeofday, @function
__vdso_gettimeofday:
	movl	$96, %eax		/* __NR_gettimeofday */
	syscall
	ret
	.size	__vdso_gettimeofday, .-__vdso_gettimeofday

	.globl	__vdso_time
	.type	__vdso_time, @function
__vdso_time:
	movl	$201, %eax		/* __NR_time */
	syscall
	ret
	.size	__vdso_time, .-__vdso_time

	.globl	__vdso_clock_getres
	.type	__vdso_clock_getres, @function
__vdso_clock_getres:
	movl	$229, %eax		/* __NR_clock_getres */
	syscall
	ret
	.size	__vdso_clock_getres, .-__vdso_clock_getres

	.globl	__vdso_getcpu
	.type	__vdso_getcpu, @function
__vdso_getcpu:
	movl	$309, %eax		/* __NR_getcpu */
	syscall
	ret
	.size	__vdso_getcpu, .-__vdso_getcpu

	/* Linux exports the same functions under their libc names, weakly. */
	.weak	clock_gettime, gettimeofday, time, clock_getres, getcpu
	.set	clock_gettime, __vdso_clock_gettime
	.set	gettimeofday, __vdso_gettimeofday
	.set	time, __vdso_time
	.set	clock_getres, __vdso_clock_getres
	.set	getcpu, __vdso_getcpu

	.section .note.GNU-stack,"",@progbits
