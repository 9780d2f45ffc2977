/** Whether the projection has applied all the log held when it started: once true, it stays so until a reset. */
export function createCaughtUp({ reachedStart, onCaughtUp }: { reachedStart: () => boolean; onCaughtUp: () => void }) {
  let caughtUp = false;
  return {
    is: (): boolean => caughtUp,
    /** Looks again after the position or the known ends moved. */
    check(): void {
      if (caughtUp || !reachedStart()) return;
      caughtUp = true;
      onCaughtUp();
    },
    reset(): void {
      caughtUp = false;
    },
  };
}
