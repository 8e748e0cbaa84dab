/** What the brute-force guard reports, without knowing who listens (the Prometheus metrics do). */

/** 'locked': the principal spent its wrong-password budget; 'busy': too many of its updates in flight. */
export type GuardRefusal = 'locked' | 'busy';

export interface GuardObserver {
  /** An update was answered RATE_LIMITED locally, without reaching the backend. */
  refused(reason: GuardRefusal): void;
  /** A wrong password spent a principal's last attempt: it is locked until its window ends. */
  locked(): void;
}
