import { createContext } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import type { TabletController } from './controller';
import type { TabletState } from './types';

/** The tablet's one controller, given to every screen by the app (see app.tsx). */
export const ControllerContext = createContext<TabletController>(null as unknown as TabletController);

/** The controller and its state; re-renders whenever the state changes. */
export function useTablet(): { c: TabletController; s: TabletState } {
  const c = useContext(ControllerContext);
  const [, setTick] = useState(0);
  useEffect(() => c.subscribe(() => setTick((n) => n + 1)), [c]);
  return { c, s: c.state };
}
