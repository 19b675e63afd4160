// The output timeline: a run's events (`{message, stream, delay_ns}`, each delay counted
// from the previous event) played back with their delays, as the Go playground does
// (`setTimeout` of delay_ns / 1e6 ms). Events due at the same instant are written
// together, then flushed once. What a form feed means is the writer's business.

// setTimeout's longest delay (about 24.8 days); longer ones would fire at once.
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

const delayOf = (e) => (Number.isFinite(e?.delay_ns) && e.delay_ns > 0 ? e.delay_ns : 0);

/** Whether any event waits: only then is there a timeline to play. */
export function isTimed(events) {
  return Array.isArray(events) && events.some((e) => delayOf(e) > 0);
}

/** The timeline's length in nanoseconds. */
export function duration(events) {
  return (events || []).reduce((sum, e) => sum + delayOf(e), 0);
}

/** Nanoseconds as people read them: "850 ms", "1.25 s", "2 min 5 s". */
export function formatNs(ns) {
  const ms = ns / 1e6;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 2 : 1)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

/**
 * Plays `events`: `write(event)` for each, `flush(elapsedNs)` after each batch due at the
 * same instant, `done(finished)` once at the end (`finished` false when stopped). Events
 * without delays are written at once, before `play` returns. The handle can `stop()`
 * (what was shown stays), `skip()` (the rest at once), and tells `elapsed` and `playing`.
 */
export function play(events, { write, flush = () => {}, done = () => {} }, timers = globalThis) {
  const list = Array.isArray(events) ? events : [];
  let i = 0;
  let elapsed = 0;
  let timer = null;
  let playing = true;

  function finish(finished) {
    playing = false;
    timer = null;
    done(finished);
  }
  function schedule() {
    if (i >= list.length) return finish(true);
    const wait = delayOf(list[i]);
    if (wait === 0) return step();
    timer = timers.setTimeout(step, Math.min(wait / 1e6, MAX_TIMEOUT_MS));
  }
  function step() {
    timer = null;
    do {
      elapsed += delayOf(list[i]);
      write(list[i]);
      i += 1;
    } while (i < list.length && delayOf(list[i]) === 0);
    flush(elapsed);
    schedule();
  }

  schedule();
  return {
    get playing() {
      return playing;
    },
    get elapsed() {
      return elapsed;
    },
    stop() {
      if (!playing) return;
      if (timer !== null) timers.clearTimeout(timer);
      finish(false);
    },
    skip() {
      if (!playing) return;
      if (timer !== null) timers.clearTimeout(timer);
      for (; i < list.length; i++) {
        elapsed += delayOf(list[i]);
        write(list[i]);
      }
      flush(elapsed);
      finish(true);
    },
  };
}
