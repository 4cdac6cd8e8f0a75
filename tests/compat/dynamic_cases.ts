/**
 * The dynamically linked cases: Debian's own programs (coreutils, grep,
 * sed, mawk, findutils, diffutils, gzip, tar, dash, bash) run under
 * `kemu run --root /`, so the guest finds the host's loader
 * (/lib64/ld-linux-x86-64.so.2), /etc/ld.so.cache and shared libraries,
 * and compared with the same programs run natively. Each case runs in a
 * fresh empty directory, writable in the guest through the in-memory layer.
 */

import type { CompatCase } from './compat.js';

/** The programs whose presence decides whether the suite can run. */
export const DYNAMIC_REQUIRED = ['/lib64/ld-linux-x86-64.so.2', '/usr/bin/sort', '/usr/bin/dash'];

function run(name: string, argv: string[], stdin?: string, everyEngine = false): CompatCase {
  return { name, argv, ...(stdin !== undefined ? { stdin } : {}), ...(everyEngine ? { everyEngine } : {}) };
}

/** `dash -c SCRIPT`: Debian's /bin/sh, itself dynamic, spawning the others. */
function dash(name: string, script: string, stdin?: string, everyEngine = false): CompatCase {
  return run(name, ['/usr/bin/dash', '-c', script], stdin, everyEngine);
}

const WORDS = 'pear 3\napple 10\nfig 7\napple 10\nkiwi 2\nbanana 5\nfig 7\ncherry 1\n';
const TEXT = 'The quick brown fox\njumps over the lazy dog.\n\nPack my box with\nfive dozen liquor jugs.\n';

const coreutils: CompatCase[] = [
  run('echo', ['/usr/bin/echo', 'hi', 'there'], undefined, true),
  run('cat-stdin', ['/usr/bin/cat'], TEXT),
  run('cat-n-A', ['/usr/bin/cat', '-nA'], 'a\tb\n\nc\n'),
  run('sort', ['/usr/bin/sort'], WORDS, true),
  run('sort-key-numeric', ['/usr/bin/sort', '-k2,2nr', '-k1,1', '-s'], WORDS),
  run('sort-unique-reverse', ['/usr/bin/sort', '-ru'], WORDS),
  run('uniq-count', ['/usr/bin/uniq', '-c'], 'a\na\nb\nc\nc\nc\n'),
  run('wc', ['/usr/bin/wc'], TEXT),
  run('head', ['/usr/bin/head', '-n', '2'], TEXT),
  run('tail', ['/usr/bin/tail', '-n', '2'], TEXT),
  run('tr', ['/usr/bin/tr', 'a-z', 'A-Z'], TEXT),
  run('cut', ['/usr/bin/cut', '-d', ' ', '-f', '2,3'], TEXT),
  run('sha256sum', ['/usr/bin/sha256sum'], TEXT, true),
  run('md5sum-sha1sum', ['/usr/bin/dash', '-c', 'md5sum; printf abc | sha1sum; printf abc | sha512sum; printf abc | b2sum'], TEXT),
  run('cksum', ['/usr/bin/cksum'], TEXT),
  run('env-i', ['/usr/bin/env', '-i', 'A=1', 'B=two', '/usr/bin/env']),
  run('basename', ['/usr/bin/basename', '/usr/lib/x.tar.gz', '.gz']),
  run('dirname', ['/usr/bin/dirname', '/usr/lib/x.tar.gz', 'rel/y', '/']),
  run('expr', ['/usr/bin/expr', '6', '*', '7']),
  run('expr-false', ['/usr/bin/expr', '1', '=', '2']),
  run('seq', ['/usr/bin/seq', '-w', '-s', ',', '1', '3', '20']),
  run('printf', ['/usr/bin/printf', '%s|%5d|%-4s|%x|%.3f|%e\\n', 'str', '42', 'ab', '255', '3.14159', '12345.678']),
  run('od', ['/usr/bin/od', '-A', 'x', '-t', 'x1z', '-v'], 'kemu\x00\x01\x02 od\n'),
  run('tac-nl', ['/usr/bin/dash', '-c', 'tee f | tac; nl f'], 'one\ntwo\nthree\n'),
  run('paste-join-comm', ['/usr/bin/dash', '-c', 'printf "1 a\\n2 b\\n" > x; printf "1 c\\n3 d\\n" > y; paste x y; join x y; comm x y']),
  run('fold-fmt', ['/usr/bin/dash', '-c', 'fold -w 12; echo; printf "a b c d e f g h\\n" | fmt -w 6'], TEXT),
  run('base64', ['/usr/bin/base64'], TEXT),
  run('factor-numfmt', ['/usr/bin/dash', '-c', 'factor 360 1001 65537; numfmt --to=iec 1048576 123456789']),
  run('date-fixed', ['/usr/bin/date', '-u', '-d', '@1234567890', '+%Y-%m-%d %H:%M:%S %A %j']),
  run('uname-sm', ['/usr/bin/uname', '-s', '-m']),
  { ...run('id-u', ['/usr/bin/id', '-u']), asRoot: true },
  run('true-false', ['/usr/bin/dash', '-c', '/usr/bin/true; echo $?; /usr/bin/false; echo $?']),
  run('yes-head', ['/usr/bin/dash', '-c', 'yes kemu | head -n 3']),
  run('test-expr', ['/usr/bin/dash', '-c', '/usr/bin/test 3 -gt 2; echo $?; /usr/bin/[ a = b ]; echo $?']),
  run('split-csplit', ['/usr/bin/dash', '-c', 'seq 1 7 > f; split -l 3 f part; ls; cat partab']),
  run('shuf-sorted', ['/usr/bin/dash', '-c', 'shuf -i 1-9 | sort -n | tr "\\n" " "; echo']),
];

const files: CompatCase[] = [
  run('ls-empty', ['/usr/bin/ls', '-a'], undefined, true),
  dash('ls-made', 'mkdir -p a/b; touch a/f z; ln -s z l; ls; ls -R a; ls -F; ls -1 --indicator-style=slash'),
  dash('cp-mv-rm', 'echo data > a; cp a b; mv b c; mkdir d; cp a c d/; ls . d; rm -r a d; ls; cat c'),
  dash('stat-chmod', 'printf 12345 > f; chmod 640 f; stat -c "%s %a %A %F %h %n" f; mkdir d; chmod 1777 d; stat -c "%a %F" d'),
  { ...dash('touch-ls-t', 'touch -d "2020-01-02 03:04:05" a; touch -d @1000000000 b; stat -c "%Y %n" a b; ls -t; ls -ltr --time-style=+%s a b | sed "s/.* root root *//"'), asRoot: true },
  dash('ln-readlink-realpath', 'mkdir -p a/b; touch a/b/f; ln -s a/b lnk; readlink lnk; readlink -f lnk/f | grep -c "/a/b/f$"; realpath -s --relative-to=. lnk/f'),
  dash('truncate-dd', 'truncate -s 1000 f; stat -c %s f; dd if=/dev/zero bs=512 count=3 status=none | wc -c; printf abcdefghij | dd bs=1 skip=2 count=5 status=none; echo'),
  dash('mktemp', 'd=$(mktemp -d -p .); [ -d "$d" ] && echo dir; ls | wc -l'),
  dash('find-xargs', 'mkdir -p a/b c; touch a/x.txt a/b/y.txt c/z.log; find . -name "*.txt" | sort; find . -type d | sort | xargs echo; find . -type f -print0 | sort -z | xargs -0 -n 1 basename'),
  dash('grep-forms', 'grep -n the; echo $?', TEXT),
  dash('grep-recursive', 'mkdir -p d/e; echo needle > d/a; echo hay > d/b; echo needle2 > d/e/c; grep -r needle d | sort; grep -c x d/b; echo $?'),
  dash('sed-forms', 'sed -e "s/o/0/g" -e "/^$/d" -e "1i\\\\\nfirst"', TEXT),
  dash('awk-mawk', 'awk \'{s[$1]+=$2} END {for (k in s) print k, s[k] | "sort"; close("sort"); printf "%.4f\\n", sqrt(2)}\'', WORDS),
  dash('diff-cmp', 'printf "a\\nb\\nc\\n" > x; printf "a\\nB\\nc\\n" > y; diff x y; echo $?; cmp x y; echo $?'),
  dash('gzip-roundtrip', 'seq 1 2000 > f; gzip -9n < f | gzip -dc | md5sum; md5sum < f'),
  dash('tar-roundtrip', 'mkdir -p d/e; echo a > d/x; echo b > d/e/y; tar cf t.tar d; rm -r d; tar tf t.tar | sort; tar xf t.tar; cat d/x d/e/y'),
  dash('tee-files', 'echo tee me | tee a b >/dev/null; cat a b'),
];

const shells: CompatCase[] = [
  dash('dash-pipeline', 'seq 1 100 | sort -r | head -n 3', undefined, true),
  dash('dash-loops-subst', 'for i in 1 2 3; do echo "$i $(expr $i \\* $i)"; done; i=0; while [ $i -lt 3 ]; do i=$((i+1)); done; echo $i'),
  dash('dash-heredoc-redirect', 'cat <<EOF > f\nline $((6*7))\nEOF\ncat f; (echo out; echo err >&2) 2>&1 | wc -l'),
  dash('dash-status-signal', 'sh -c "exit 5"; echo $?; sh -c \'kill -TERM $$\'; echo $?'),
  run('bash-features', ['/usr/bin/bash', '-c', 'a=(x y z); echo ${#a[@]} ${a[1]}; [[ abc == a* ]] && echo match; echo $((2**10)); printf -v v "%03d" 7; echo $v; echo {1..5}']),
  run('bash-pipeline-subshell', ['/usr/bin/bash', '-c', 'set -o pipefail; (seq 1 5 | tail -n 1); false | true; echo $?; mapfile -t l < <(seq 3); echo ${l[@]}'], undefined, true),
  dash('env-path-lookup', 'command -v sort; env | grep -c ^PATH=; cd /usr/bin && ls sort'),
];

/** Besides those marked in place, the cases that also run under every other engine (about a third). */
const EVERY_ENGINE = new Set([
  'cat-n-A', 'uniq-count', 'md5sum-sha1sum', 'env-i', 'printf', 'od', 'date-fixed', 'ls-made', 'stat-chmod',
  'find-xargs', 'sed-forms', 'awk-mawk', 'gzip-roundtrip', 'dash-status-signal', 'bash-features',
]);

/** Every dynamic case, in the order they run. */
export const DYNAMIC_CASES: readonly CompatCase[] = [...coreutils, ...files, ...shells]
  .map((c) => (EVERY_ENGINE.has(c.name) ? { ...c, everyEngine: true } : c));
for (const n of EVERY_ENGINE) if (!DYNAMIC_CASES.some((c) => c.name === n)) throw new Error(`EVERY_ENGINE names no case ${n}`);
