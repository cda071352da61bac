import { useEffect, useState } from 'preact/hooks';
import { ErrorBox } from '../ui/kit';
import { ControllerContext, useTablet } from './context';
import { InsecureScreen } from './insecure-screen';
import { TabletController } from './controller';
import { ScanScreen } from './scan-screen';
import { EnrollScreen, ShiftSetup, SignInScreen } from './setup-screens';
import './tablet.css';

export function TabletApp() {
  // Over plain http:// (not localhost) there is no camera and no offline app: say so first.
  const [insecureOk, setInsecureOk] = useState(() => window.isSecureContext || sessionStorage.getItem('gatepost.insecureOk') === '1');
  if (!insecureOk)
    return (
      <InsecureScreen
        onContinue={() => {
          sessionStorage.setItem('gatepost.insecureOk', '1');
          setInsecureOk(true);
        }}
      />
    );
  return <TabletMain />;
}

function TabletMain() {
  const [controller, setController] = useState<TabletController | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let c: TabletController | undefined;
    (async () => {
      c = await TabletController.open();
      // Ask the browser to keep our storage (the outbox) even when the tablet runs short of space.
      void navigator.storage?.persist?.();
      setController(c);
      if (c.state.device) c.start();
    })().catch(setError);
    return () => c?.stop();
  }, []);
  if (error) return <ErrorBox error={error} />;
  if (!controller) return <div class="t-loading">…</div>;
  return (
    <ControllerContext.Provider value={controller}>
      <Screens />
    </ControllerContext.Provider>
  );
}

function Screens() {
  const { s } = useTablet();
  if (!s.device) return <EnrollScreen />;
  if (!s.volunteer) return <SignInScreen />;
  if (!s.shift) return <ShiftSetup />;
  return <ScanScreen />;
}
