/**
 * The host-side prelude every sandbox spawn goes through, between Node and bwrap: join the run's
 * cgroups (so that no process of the run is ever outside them), close every descriptor the app
 * inherited (anything its own parent left open without O_CLOEXEC would otherwise reach the sandboxed
 * command: libuv closes nothing but what it marked itself), then exec bwrap, with the seccomp program
 * as fd 3 either kept from the spawn or opened from a file.
 *
 * bash closes any descriptor number (`exec {fd}>&-`); a plain POSIX sh only 3-9, which the
 * capability's notes say.
 */

export interface SpawnWrapperOptions {
  /** bash where there is one (detect.ts picks it), else /bin/sh. */
  shell: string;
  /** cgroup.procs files to join, in order. */
  procsFiles: readonly string[];
  /** Where the seccomp program comes from: fd 3 of the spawn, a file to open as fd 3, or none. */
  seccomp: { fd: 3 } | { file: string } | null;
  /** Descriptors of the spawn bwrap needs too (--ro-bind-fd), kept open like fd 3. */
  keepFds?: readonly number[];
  /** bwrap's argv. */
  argv: readonly string[];
}

const JOIN_CGROUPS = 'n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit 125; shift; n=$((n - 1)); done; keep=$1; seccomp=$2; shift 2; ';
// -L, not -e: the glob's own directory descriptor is gone by the time the loop reaches it.
// $keep is " 0 1 2 …kept… ": a descriptor is closed unless its number is in it.
const CLOSE_ALL_BASH = 'for f in /proc/$$/fd/*; do fd=${f##*/}; case $keep in *" $fd "*) ;; *) [ -L "$f" ] && exec {fd}>&- ;; esac; done; ';
const CLOSE_LOW_POSIX = 'for fd in 3 4 5 6 7 8 9; do case $keep in *" $fd "*) ;; *) eval "exec $fd>&-" ;; esac; done; ';
const EXEC = 'if [ "$seccomp" = - ]; then exec "$@"; else exec "$@" 3<"$seccomp"; fi';

export function isBash(shell: string): boolean {
  return /(^|\/)bash$/.test(shell);
}

export function spawnWrapper(options: SpawnWrapperOptions): string[] {
  const close = isBash(options.shell) ? CLOSE_ALL_BASH : CLOSE_LOW_POSIX;
  const kept = [0, 1, 2, ...(options.seccomp && "fd" in options.seccomp ? [3] : []), ...(options.keepFds ?? [])];
  const keep = ` ${kept.join(" ")} `;
  const file = options.seccomp && "file" in options.seccomp ? options.seccomp.file : "-";
  return [options.shell, "-c", JOIN_CGROUPS + close + EXEC, "m2d-sandbox", String(options.procsFiles.length), ...options.procsFiles, keep, file, ...options.argv];
}
