/**
 * The busybox compatibility cases: Debian's busybox-static (/bin/busybox,
 * one static glibc binary) running its shell and applets on fixed input.
 * Each case runs in a fresh empty directory, so scripts make the files they
 * use there. Outputs that depend on the machine rather than on the kernel
 * (pids, host names, clocks, the host's files) are left out: those would
 * measure the machine, not kemu.
 */

import type { CompatCase } from './compat.js';

export const BUSYBOX = '/bin/busybox';

/** `busybox sh -c SCRIPT`. */
function sh(name: string, script: string, stdin?: string, everyEngine = false): CompatCase {
  return { name, argv: [BUSYBOX, 'sh', '-c', script], ...(stdin !== undefined ? { stdin } : {}), ...(everyEngine ? { everyEngine } : {}) };
}

/** `busybox APPLET ARGS...` with stdin. */
function app(name: string, args: string[], stdin?: string): CompatCase {
  return { name, argv: [BUSYBOX, ...args], ...(stdin !== undefined ? { stdin } : {}) };
}

const WORDS = 'pear 3\napple 10\nfig 7\napple 10\nkiwi 2\nbanana 5\nfig 7\ncherry 1\n';
const CSV = 'id,name,score\n3,carol,71\n1,alice,93\n2,bob,85\n4,dave,85\n';
const TEXT = 'The quick brown fox\njumps over the lazy dog.\n\nPack my box with\nfive dozen liquor jugs.\n';

const shell: CompatCase[] = [
  sh('sh-pipeline-seq-sort-head', 'seq 1 100 | sort -r | head -n 3', undefined, true),
  sh('sh-echo-args', 'echo one "two  three" four'),
  sh('sh-echo-n-e', 'echo -n a; echo -e "b\\tc\\nd"'),
  sh('sh-exit-status', 'exit 7', undefined, true),
  sh('sh-false-status', 'false; echo $?; true; echo $?'),
  sh('sh-not-pipeline', '! false; echo $?; false | true; echo $?'),
  sh('sh-subshell-cwd', 'mkdir d; (cd d && pwd >/dev/null; echo in:$(basename "$(pwd)")); echo out:$(basename "$PWD" | grep -c kemu-compat)'),
  sh('sh-subshell-exit', '(exit 3); echo $?; (false) || echo alt'),
  sh('sh-for-loop', 'for i in 1 2 3 a b; do echo "item $i"; done'),
  sh('sh-while-read-heredoc', 'while read a b; do echo "$b=$a"; done <<EOF\n1 one\n2 two\n3 three\nEOF'),
  sh('sh-until-loop', 'i=0; until [ $i -ge 5 ]; do i=$((i+1)); printf "%d " $i; done; echo'),
  sh('sh-break-continue', 'for i in 1 2 3 4 5 6; do [ $i = 2 ] && continue; [ $i = 5 ] && break; echo $i; done'),
  sh('sh-case', 'for w in apple Banana 42 x.txt; do case $w in [a-z]*.txt) echo "$w file";; [A-Z]*) echo "$w cap";; *[0-9]) echo "$w num";; *) echo "$w other";; esac; done'),
  sh('sh-functions', 'f() { local x=$1; echo "f:$x"; return $(($1 % 4)); }; f 5; echo $?; f 8; echo $?'),
  sh('sh-recursion', 'fact() { if [ $1 -le 1 ]; then echo 1; else echo $(( $1 * $(fact $(($1-1))) )); fi; }; fact 10'),
  sh('sh-command-substitution', 'x=$(echo outer $(echo inner $(echo deepest))); echo "$x"; y=`echo back`; echo $y'),
  sh('sh-arithmetic', 'echo $((7*6)) $((17/5)) $((17%5)) $((1<<10)) $((-7/2)) $((0x1f)) $((3>2 && 1))'),
  sh('sh-param-expansion', 'p=/usr/local/lib/x.tar.gz; echo ${p##*/} ${p%%.*} ${p#*/} ${p%/*} ${#p}; unset u; echo ${u:-dflt} ${u:=set} $u'),
  sh('sh-string-ops', 's=abcdefgh; echo ${s:2:3} ${s/cd/XY} ${s//[aeiou]/_}'),
  sh('sh-ifs-split', 'IFS=:; set -- $(echo a:b::c); echo $#; for x in "$@"; do echo "[$x]"; done'),
  { name: 'sh-positional', argv: [BUSYBOX, 'sh', '-c', 'echo "$0|$1|$2|$#"; shift; echo "$*"', 'zero', 'one', 'two words', 'three'] },
  sh('sh-quoted-at', 'set -- "a b" c "d  e"; for x in "$@"; do echo "<$x>"; done; for x in $@; do echo "($x)"; done'),
  sh('sh-eval', 'cmd="echo evaluated \\$((2+3))"; eval "$cmd"; eval "v_1=one"; echo $v_1'),
  sh('sh-getopts', 'set -- -a -b val -c rest; while getopts ab:c o; do echo "$o ${OPTARG:-}"; done; shift $((OPTIND-1)); echo "left: $*"'),
  sh('sh-printf-builtin', 'printf "%s|%5s|%-5s|%d|%04d|%x|%o|%c|%%\\n" str ab cd 42 7 255 8 zebra'),
  sh('sh-test-strings', '[ -z "" ] && echo z; [ -n x ] && echo n; [ a = a ] && echo eq; [ a != b ] && echo ne; [ abc \\< abd ] && echo lt'),
  sh('sh-test-numbers', 'for p in "3 -lt 5" "5 -le 5" "7 -gt 9" "2 -ne 2" "-1 -lt 0"; do if [ $p ]; then echo "$p yes"; else echo "$p no"; fi; done'),
  sh('sh-test-files', 'mkdir d; echo x > f; : > e; ln -s f l; for t in -e -f -d -s -L -r -w -x; do for n in d f e l nope; do [ $t $n ] && printf "%s%s " $t $n; done; done; echo'),
  sh('sh-redirections', 'echo one > f; echo two >> f; cat < f; echo err 1>&2 2>/dev/null; (echo out; echo err >&2) 2>&1 | sort'),
  sh('sh-exec-fd', 'exec 3>f; echo via3 >&3; echo again >&3; exec 3>&-; cat f; exec 4<f; read l <&4; echo "read:$l"'),
  sh('sh-heredoc-expansion', 'v=world; cat <<EOF\nhello $v\n$(echo sub)\n$((1+1))\nEOF\ncat <<\'EOF\'\nliteral $v\nEOF'),
  sh('sh-heredoc-pipe-sort', 'cat <<EOF | sort | uniq -c\nb\na\nb\nc\na\nb\nEOF'),
  sh('sh-brace-group', '{ echo a; echo b; } > f; { echo c; } >> f; wc -l < f'),
  sh('sh-noclobber', 'set -C; echo 1 > f; echo 2 > f 2>/dev/null || echo refused; cat f; echo 3 >| f; cat f'),
  sh('sh-set-e', 'set -e; echo before; false; echo after', undefined),
  sh('sh-set-u', 'set -u; echo $nosuchvar; echo after'),
  sh('sh-trap-exit', 'trap "echo bye" EXIT; echo hi; exit 4'),
  sh('sh-trap-signal', 'trap "echo got USR1" USR1; kill -USR1 $$; echo after', undefined, true),
  sh('sh-self-kill', 'echo before; kill -TERM $$; echo not reached'),
  sh('sh-background-wait', '(echo bg; exit 9) & wait $!; echo "status $?"', undefined, true),
  sh('sh-kill-background', 'sleep 10 & kill $!; wait $!; echo "status $?"'),
  sh('sh-command-not-found', 'nosuchcommand_kemu; echo $?'),
  sh('sh-nested-sh-c', 'sh -c \'sh -c "echo deep; exit 5"; echo mid $?\'; echo top $?', undefined, true),
  sh('sh-long-pipeline', 'seq 1 50 | cat | cat | cat | cat | cat | cat | cat | cat | cat | tail -n 2'),
  sh('sh-big-pipe', 'seq 1 20000 | wc -c; seq 1 20000 | md5sum', undefined, true),
  sh('sh-arith-loop', 'i=0; s=0; while [ $i -lt 2000 ]; do s=$((s+i*i)); i=$((i+1)); done; echo $s'),
  sh('sh-read-ifs', 'echo "a:b:c d" | { IFS=: read x y z; echo "$z|$y|$x"; }; printf "r\\\\aw\\n" | { read -r l; echo "$l"; }'),
  sh('sh-export-env', 'export KEMU_A=1 KEMU_B="two words"; env | grep ^KEMU_ | sort; sh -c \'echo $KEMU_B\''),
  sh('sh-env-i', 'env -i A=1 B=2 env'),
  sh('sh-command-v', 'command -v echo; command -v cd; type true | head -c 4; echo'),
  sh('sh-alias', 'alias ll="echo listing"; eval ll'),
  sh('sh-unset-readonly', 'a=1; unset a; echo "[${a-unset}]"; readonly r=2; (r=3) 2>/dev/null || echo ro'),
  sh('sh-umask', 'umask 027; umask; : > f; mkdir d; stat -c "%a %n" f d'),
  sh('sh-cd-dash', 'mkdir -p a/b; cd a/b; cd ../..; cd a; cd - >/dev/null; basename "$PWD" | grep -c kemu-compat'),
  sh('sh-pwd-symlink', 'mkdir real; ln -s real link; cd link; basename "$(pwd)"; basename "$(pwd -P)"'),
  sh('sh-isatty', '[ -t 0 ]; echo stdin $?; [ -t 1 ]; echo stdout $?'),
  sh('sh-xtrace', 'set -x; echo traced 2>/dev/null', undefined),
  sh('sh-dollar-question-pipe', 'sh -c "exit 3" | sh -c "exit 4"; echo $?'),
  sh('sh-ulimit', 'ulimit -n 64; ulimit -n; sh -c "ulimit -n"'),
  sh('sh-tilde-home', 'echo ~ ~/x'),
  sh('sh-glob', 'touch b.c a.c c.h .hidden; echo *.c; echo *; echo .h*; echo nomatch*'),
  sh('sh-sleep-fraction', 'sleep 0.05; echo done; usleep 1000; echo done2'),
  sh('sh-timeout', 'timeout 1 sleep 5; echo $?; timeout 5 true; echo $?'),
];

const text: CompatCase[] = [
  app('sort-plain', ['sort'], WORDS),
  app('sort-numeric-key', ['sort', '-k2,2n', '-k1,1'], WORDS),
  app('sort-reverse-unique', ['sort', '-r', '-u'], WORDS),
  app('sort-csv-field', ['sort', '-t,', '-k3,3nr', '-k2,2'], CSV),
  sh('sort-large', 'seq 1 5000 | sort -n -r | md5sum; seq 1 3000 | sort | head -n 5'),
  app('uniq-count', ['sh', '-c', 'sort | uniq -c'], WORDS),
  app('uniq-dup-unique', ['sh', '-c', 'sort | uniq -d; echo --; sort | uniq -u'], WORDS),
  app('wc-all', ['wc'], TEXT),
  sh('wc-files', 'printf "a b\\nc\\n" > x; printf "ddd\\n" > y; wc -l x y; wc -c < x; wc -L x'),
  app('tr-upper', ['tr', 'a-z', 'A-Z'], TEXT),
  app('tr-delete-squeeze', ['sh', '-c', 'tr -d aeiou | tr -s " " | tr -c "a-zA-Z\\n" _'], TEXT),
  app('cut-fields', ['cut', '-d,', '-f2,3'], CSV),
  app('cut-chars', ['cut', '-c', '2-5,8'], TEXT),
  app('sed-subst', ['sed', 's/o/0/g; s/^\\(.\\)/[\\1]/'], TEXT),
  app('sed-print-range', ['sed', '-n', '2,4p'], TEXT),
  app('sed-delete-append', ['sed', '-e', '/^$/d', '-e', '1a\\\nappended', '-e', '$i\\\ninserted'], TEXT),
  app('sed-y-regex', ['sed', '-E', 'y/abc/xyz/; s/([a-z]+) ([a-z]+)/\\2 \\1/'], TEXT),
  sh('sed-in-place', 'printf "x1\\nx2\\n" > f; sed -i "s/x/y/" f; cat f'),
  app('awk-fields', ['awk', '{print NR": "$2" "$1}'], WORDS),
  app('awk-sum', ['awk', '{s[$1]+=$2} END {for (k in s) print k, s[k]}'], WORDS),
  app('awk-csv', ['awk', '-F,', 'NR>1 {t+=$3; n++} END {printf "%d %.2f\\n", n, t/n}'], CSV),
  // Debian's busybox awk has no math library (sqrt, exp, ^): floating point through printf only.
  app('awk-math', ['awk', 'BEGIN {printf "%.6f %.3e %d %g %.10g %d\\n", 10/3, 12345.678, int(-3.7), 0.1+0.2, 1e15/7, 2147483647*4}']),
  app('awk-strings', ['awk', 'BEGIN {s="hello world"; n=split(s,a," "); gsub(/o/,"0",s); print n, a[2], s, length(s), substr(s,2,3), index(s,"w"), toupper(s)}']),
  app('awk-loop', ['awk', 'BEGIN {for (i=0; i<1000; i++) s+=i*i; print s; printf "%e %g\\n", s, 1/3}']),
  // awk runs commands through glibc's popen() and system(): /bin/sh, the host's.
  { ...app('awk-getline-cmd', ['awk', 'BEGIN {while (("echo a b; echo c" | getline l) > 0) print "got", l; close("echo a b; echo c")}']), hostRoot: true },
  { ...app('awk-system', ['awk', 'BEGIN {r=system("echo from system; exit 3"); print "r=" r}']), hostRoot: true },
  app('awk-v-var', ['awk', '-v', 'x=5', 'BEGIN {print x*2}']),
  app('grep-basic', ['grep', '-n', 'the'], TEXT),
  app('grep-ivc', ['sh', '-c', 'grep -ic the; echo $?'], TEXT),
  app('grep-v', ['grep', '-v', 'o'], TEXT),
  app('grep-extended-only', ['grep', '-oE', '[a-z]{5,}'], TEXT),
  app('grep-word', ['grep', '-w', 'box'], TEXT),
  sh('grep-quiet-status', 'echo abc | grep -q b; echo $?; echo abc | grep -q z; echo $?; grep x nosuchfile 2>/dev/null; echo $?'),
  sh('grep-recursive', 'mkdir -p d/e; echo needle > d/a; echo hay > d/b; echo needle2 > d/e/c; grep -r needle d | sort; grep -rl needle d | sort'),
  app('head-tail', ['sh', '-c', 'head -n 2; echo --; seq 10 | tail -n 3; seq 5 | tail -n +4; seq 100 | head -c 10'], TEXT),
  app('rev-tac-nl', ['sh', '-c', 'tee f | rev; tac f; nl -ba f'], 'abc\ndef\n\nxyz\n'),
  sh('fold-expand', 'printf "a\\tb\\tc\\n" | expand -t 4; echo aaaaaaaaaabbbbbbbbbbcc | fold -w 10; printf "        x\\n" | unexpand -a | od -c'),
  sh('paste-forms', 'printf "1\\n2\\n3\\n" > a; printf "x\\ny\\nz\\n" > b; paste a b; paste -sd+ a; paste -d: a b a; seq 6 | paste - - -'),
  sh('seq-forms', 'seq 3; seq 2 4; seq 10 -3 1; seq -w 8 11; seq -s, 5; seq 1 0.5 3'),
  sh('yes-head', 'yes | head -n 3; yes kemu | head -n 2'),
  sh('printf-applet', 'busybox printf "%s-%d-%5.2f-%x-%o-%c\\n" a 10 3.14159 255 8 q; busybox printf "\\x41\\102\\n"'),
  sh('expr-forms', 'expr 5 \\* 3; expr 17 / 5; expr length hello; expr substr hello 2 3; expr index hello l; expr abc : "a\\(.*\\)"; expr 1 = 2; echo $?; expr 0 + 0; echo $?'),
  sh('test-applet', 'busybox test 3 -gt 2; echo $?; busybox [ a = b ]; echo $?; busybox test -d /; echo $?; busybox test; echo $?'),
  sh('factor-bc-dc', 'factor 360 1001 97; echo "2^20+1; scale=4; 1/7" | bc; dc -e "2 10 ^ p"'),
  sh('shuf-sorted', 'shuf -i 1-8 | sort -n | tr "\\n" " "; echo'),
  sh('cmp-diff', 'printf "a\\nb\\nc\\n" > x; printf "a\\nB\\nc\\nd\\n" > y; cmp x y; echo $?; diff x y; echo $?; diff x x; echo $?'),
  sh('strings-od', 'printf "ab\\0\\001longer string\\0x\\n" > f; strings f; od -c f; od -A x -t x1 f'),
  sh('hexdump-xxd', 'printf "kemu compat\\n\\x00\\xff" > f; hexdump -C f; xxd f; xxd -p f'),
  sh('base64-roundtrip', 'printf "hello, base64!" | base64; echo aGVsbG8sIGJhc2U2NCE= | base64 -d; echo'),
  sh('uuencode-roundtrip', 'printf "data\\n" > f; uuencode -m f name | tee u; uudecode -o - u'),
  sh('dos2unix', 'printf "a\\r\\nb\\r\\n" | dos2unix | od -c; printf "a\\nb\\n" | unix2dos | od -c'),
  sh('cal-fixed', 'cal 2 2024; cal 9 1752'),
  sh('date-fixed', 'date -u -d @0; date -u -d @1234567890 "+%Y-%m-%d %H:%M:%S %j %a %b"; date -u -d "2024-02-29 12:34:56" +%s; TZ=UTC date -d @86400 +%A'),
  sh('getopt-applet', 'getopt -o ab:c -l long: -- -a -b x --long=y rest'),
  sh('tee-multi', 'echo tee me | tee a b >/dev/null; cat a b'),
  sh('xargs-forms', 'seq 1 7 | xargs -n 3 echo; printf "a\\nb\\n" | xargs -I{} echo "<{}>"; echo x y | xargs sh -c \'echo $# "$@"\' sh'),
];

const files: CompatCase[] = [
  sh('md5-sha-sums', 'printf "abc" > f; md5sum f; sha1sum f; sha256sum f; sha512sum f | cut -c1-32; sha3sum f', undefined, true),
  sh('sums-check', 'printf "one\\n" > a; printf "two\\n" > b; sha256sum a b > s; sha256sum -c s; echo x >> b; sha256sum -c s; echo $?'),
  sh('crc32', 'printf "kemu" > f; crc32 f; seq 1000 | crc32'),
  sh('mkdir-ls', 'mkdir -p a/b/c a/d; touch a/b/f a/z; ls; ls a; ls -R a; ls -a a'),
  sh('ls-file-types', 'mkdir d; touch f; ln -s f l; mkfifo p; ls -F; ls -1p'),
  sh('cp-mv-rm', 'echo data > a; cp a b; mv b c; mkdir d; cp a c d/; ls . d; rm a c; ls; rm -r d; ls'),
  sh('cp-r-preserve', 'mkdir -p s/t; echo 1 > s/t/f; chmod 640 s/t/f; cp -rp s s2; stat -c "%a %s" s2/t/f; cat s2/t/f'),
  sh('ln-readlink', 'echo target > t; ln -s t sl; ln t hl; readlink sl; cat sl; stat -c "%h %F" t sl; ln -sf hl sl; readlink sl'),
  sh('readlink-f-realpath', 'mkdir -p a/b; ln -s a/b lnk; touch a/b/f; readlink -f lnk/f | grep -c "a/b/f$"; realpath lnk/../a | grep -c "/a$"'),
  sh('chmod-stat', 'touch f; chmod 751 f; stat -c "%a %A" f; chmod u-x,g+w,o= f; stat -c "%a %A" f; mkdir d; chmod 1777 d; stat -c "%a %A" d'),
  sh('touch-dates', 'touch -d "2020-01-02 03:04:05" a; touch -d @1000000000 b; stat -c "%Y %n" a b; ls -t a b; ls -tr a b'),
  sh('truncate-sizes', 'truncate -s 1000 f; stat -c %s f; truncate -s 10 f; wc -c < f; truncate -s 20 f; stat -c %s f; od -c f | tail -n 2'),
  sh('dd-forms', 'dd if=/dev/zero bs=512 count=3 2>/dev/null | wc -c; printf abcdefghij | dd bs=1 skip=2 count=5 2>/dev/null; echo; printf abc | dd conv=ucase 2>/dev/null; echo'),
  sh('find-basic', 'mkdir -p a/b c; touch a/x.txt a/b/y.txt c/z.log; find . -name "*.txt" | sort; find . -type d | sort; find . -maxdepth 1 | sort'),
  sh('find-exec', 'mkdir -p a/b; echo 1 > a/f; echo 22 > a/b/g; find a -type f -exec wc -c {} \\; | sort; find a -type f -exec sh -c \'echo "[$1]"\' _ {} \\; | sort'),
  sh('find-xargs', 'mkdir d; for i in 1 2 3; do echo $i > d/f$i; done; find d -type f | sort | xargs cat; find d -name "f[12]" | xargs rm; ls d'),
  sh('find-size-newer', 'printf 12345 > big; : > small; find . -type f -size +0 | sort; find . -empty | sort'),
  sh('mv-across-dirs', 'mkdir a b; echo 1 > a/f; mv a/f b/; mv b b2; ls a b2; cat b2/f'),
  sh('rmdir-unlink', 'mkdir -p a/b; rmdir a 2>/dev/null; echo $?; rmdir a/b a; ls; touch f; unlink f; ls'),
  sh('mktemp-dir', 'd=$(mktemp -d -p .); [ -d "$d" ] && echo dir; f=$(mktemp -p .); [ -f "$f" ] && echo file; ls | wc -l'),
  sh('mkfifo-roundtrip', 'mkfifo p; (echo through fifo > p) & cat p; wait', undefined, true),
  sh('tar-roundtrip', 'mkdir -p d/e; echo a > d/x; echo b > d/e/y; tar cf t.tar d; rm -r d; tar tf t.tar | sort; tar xf t.tar; cat d/x d/e/y'),
  sh('gzip-roundtrip', 'seq 1 1000 > f; gzip -c f > f.gz; gzip -dc f.gz | md5sum; md5sum < f; rm f.gz; gzip f; ls; gunzip f.gz; wc -l f'),
  sh('bzip2-xz-roundtrip', 'seq 1 500 > f; bzip2 -c f | bzip2 -dc | md5sum; md5sum < f'),
  sh('cpio-roundtrip', 'mkdir d; echo c > d/f; find d | cpio -o -H newc 2>/dev/null > a.cpio; rm -r d; cpio -i -d < a.cpio 2>/dev/null; cat d/f'),
  sh('patch-apply', 'printf "a\\nb\\nc\\n" > f; printf "a\\nB\\nc\\n" > g; diff -u f g > p; patch f < p >/dev/null; cat f'),
  sh('basename-dirname', 'basename /a/b/c.txt; basename /a/b/c.txt .txt; basename /; dirname /a/b/c; dirname c; dirname /'),
  sh('stat-formats', 'printf 12345 > f; stat -c "%s %F %a %h %n" f; stat -c "%F" .; stat -c "%F %t %T" /dev/null /dev/zero'),
  sh('fallocate-shred', 'fallocate -l 4096 f; stat -c %s f; shred -u f; ls'),
];

const system: CompatCase[] = [
  sh('dev-null-zero', 'head -c 16 /dev/zero | od -An -tx1; echo x > /dev/null; cat /dev/null | wc -c; dd if=/dev/urandom bs=16 count=1 2>/dev/null | wc -c'),
  sh('dev-full', 'echo x > /dev/full; echo $?', undefined),
  sh('proc-self-cmdline', 'cat /proc/self/cmdline | tr "\\0" " "; echo'),
  sh('proc-self-environ', 'env -i A=1 B=two cat /proc/self/environ | tr "\\0" "\\n"'),
  sh('proc-self-fd', 'ls /proc/self/fd | sort -n | head -n 4 | tr "\\n" " "; echo'),
  sh('proc-self-status', 'grep -c "^Pid:" /proc/self/status; grep "^State:" /proc/self/status; grep ^Name: /proc/self/status'),
  sh('proc-self-stat', 'cut -d" " -f2,3 /proc/self/stat'),
  sh('proc-meminfo-head', 'head -n 1 /proc/meminfo | cut -d: -f1; grep -c ^MemFree: /proc/meminfo'),
  sh('uname-sm', 'uname -s; uname -m; uname -o'),
  { ...sh('id-u', 'id -u; id -g'), asRoot: true },
  sh('env-unset-chdir', 'env -u HOME -u TZ env; mkdir d; env -C d sh -c "basename \\$PWD" 2>/dev/null || echo no-C'),
  sh('nproc-positive', 'n=$(nproc); [ "$n" -ge 1 ] && echo ok'),
  sh('tty-not-a-tty', 'tty; echo $?'),
  sh('env-grep', 'env | grep -E "^(HOME|TZ)=" | sort; env | grep -q ^NOPE=; echo $?'),
  sh('which-applets', 'which nosuch_kemu_cmd; echo $?'),
  sh('true-false', 'true; echo $?; false; echo $?; busybox true; echo $?'),
  sh('sleep-order', '(sleep 0.2; echo second) & (echo first); wait'),
  sh('run-parts-dir', 'mkdir d; printf "#!/bin/busybox sh\\necho one\\n" > d/10one; printf "#!/bin/busybox sh\\necho two\\n" > d/20two; chmod +x d/*; run-parts d'),
  sh('script-shebang', 'printf "#!/bin/busybox sh\\necho script \\"\\$1\\"\\nexit 6\\n" > s; chmod +x s; ./s arg; echo $?'),
  sh('exec-replace', 'exec echo replaced; echo not reached'),
  sh('xargs-parallel', 'seq 1 6 | xargs -P 3 -n 1 sh -c \'echo $(( $1 * $1 ))\' sh | sort -n'),
  sh('many-processes', 'i=0; while [ $i -lt 40 ]; do echo $i | cat > /dev/null; i=$((i+1)); done; echo $i'),
  sh('pipe-status-sigpipe', 'yes | head -n 1; seq 1 100000 | head -n 1'),
  sh('more-not-a-tty', 'printf "a\\nb\\n" | more'),
];

/**
 * Besides those marked in place, the cases that also run under every
 * other engine: one or more of each kind (shell language, text, files,
 * /proc and /dev, processes and signals), about a quarter of the suite.
 */
const EVERY_ENGINE = new Set([
  'sh-while-read-heredoc', 'sh-case', 'sh-recursion', 'sh-arithmetic', 'sh-param-expansion', 'sh-redirections',
  'sh-exec-fd', 'sh-set-e', 'sh-trap-exit', 'sh-self-kill', 'sh-kill-background', 'sh-command-not-found',
  'sh-long-pipeline', 'sh-glob', 'sh-timeout', 'sort-csv-field', 'uniq-count', 'tr-delete-squeeze', 'sed-subst',
  'awk-math', 'awk-sum', 'grep-recursive', 'head-tail', 'expr-forms', 'date-fixed', 'xargs-forms', 'cp-mv-rm',
  'chmod-stat', 'find-exec', 'tar-roundtrip', 'gzip-roundtrip', 'dev-null-zero', 'proc-self-status', 'script-shebang',
  'xargs-parallel', 'pipe-status-sigpipe',
]);

/** Every busybox case, in the order they run. */
export const BUSYBOX_CASES: readonly CompatCase[] = [...shell, ...text, ...files, ...system]
  .map((c) => (EVERY_ENGINE.has(c.name) ? { ...c, everyEngine: true } : c));
for (const n of EVERY_ENGINE) if (!BUSYBOX_CASES.some((c) => c.name === n)) throw new Error(`EVERY_ENGINE names no case ${n}`);
