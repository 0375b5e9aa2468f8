// How many desktops a running pool holds now: its size during a lesson of its lab (from `warmMinutes`
// before the start until the end) or its idle size outside lessons; a lab without a schedule: its size.
// Lessons are weekly in the portal's time zone, which is the server's (the process's TZ).

export interface LessonWindow {
  /** ISO weekday, 1 = Monday … 7 = Sunday. */
  weekday: number;
  startMinute: number;
  endMinute: number;
  warmMinutes: number;
}

const WEEK = 7 * 1440;

/** Minutes since Monday 00:00 in the process's local time. */
export function minuteOfWeek(now: Date): number {
  const isoWeekday = ((now.getDay() + 6) % 7) + 1;
  return (isoWeekday - 1) * 1440 + now.getHours() * 60 + now.getMinutes();
}

/** Is `now` inside a lesson's warm-up or the lesson itself (a warm-up may start the day before)? */
export function inLesson(lessons: readonly LessonWindow[], now: Date): boolean {
  const m = minuteOfWeek(now);
  return lessons.some((l) => {
    const from = (l.weekday - 1) * 1440 + l.startMinute - l.warmMinutes;
    const to = (l.weekday - 1) * 1440 + l.endMinute;
    // The window may wrap past the week's start (Monday 00:05 with 10 minutes' warm-up).
    return [m, m + WEEK, m - WEEK].some((x) => x >= from && x < to);
  });
}

export function poolTarget(
  pool: { size: number; idleSize: number; state: "stopped" | "running" },
  lessons: readonly LessonWindow[],
  now: Date,
): number {
  if (pool.state !== "running") return 0;
  if (lessons.length === 0) return pool.size;
  return inLesson(lessons, now) ? pool.size : Math.min(pool.idleSize, pool.size);
}

/** Unassigned desktops to keep: `spare`, within what the target leaves after the assigned ones. */
export function wantedSpare(target: number, spare: number, assigned: number): number {
  return Math.max(0, Math.min(spare, target - assigned));
}
