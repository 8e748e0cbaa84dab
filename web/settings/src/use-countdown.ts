import { useEffect, useState } from 'react';

/** Whole seconds left until `seconds` after `receivedAt` (epoch ms); re-renders every second until 0. */
export function useCountdown(seconds: number | null | undefined, receivedAt: number): number | null {
  const deadline = seconds == null ? null : receivedAt + seconds * 1000;
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (deadline === null) return undefined;
    setNow(Date.now());
    const timer = window.setInterval(() => {
      const current = Date.now();
      setNow(current);
      if (current >= deadline) window.clearInterval(timer);
    }, 1000);
    return () => window.clearInterval(timer);
  }, [deadline]);
  return deadline === null ? null : Math.max(0, Math.ceil((deadline - now) / 1000));
}

export function formatSeconds(total: number): string {
  const minutes = Math.floor(total / 60);
  const seconds = total % 60;
  return `${minutes}:${String(seconds).padStart(2, '0')}`;
}
