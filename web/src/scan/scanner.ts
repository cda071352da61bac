import { Html5Qrcode, Html5QrcodeSupportedFormats } from 'html5-qrcode';

/**
 * The camera, through html5-qrcode: the only module that imports it. QR only, at an explicit frame rate,
 * the browser's native BarcodeDetector where it has one (Android Chrome), ZXing elsewhere.
 */
export interface CameraChoice {
  id: string;
  label: string;
}

export interface Scanner {
  /** Start the camera in the element with id `elementId`; `onCode` gets each decoded text. */
  start(onCode: (text: string) => void): Promise<void>;
  stop(): Promise<void>;
  /** Does the running camera have a torch? */
  hasTorch(): boolean;
  setTorch(on: boolean): Promise<void>;
  /** The cameras the browser offers (labels appear once permission is given). */
  cameras(): Promise<CameraChoice[]>;
}

export const SCAN_FPS = 10;


export function createScanner(elementId: string, opts: { cameraId?: string | null } = {}): Scanner {
  const qr = new Html5Qrcode(elementId, {
    verbose: false,
    formatsToSupport: [Html5QrcodeSupportedFormats.QR_CODE],
    experimentalFeatures: { useBarCodeDetectorIfSupported: true },
    useBarCodeDetectorIfSupported: true,
  });
  let torch = false;
  return {
    async start(onCode) {
      // The back camera unless the volunteer chose one (remembered by the caller).
      const camera = opts.cameraId ? opts.cameraId : { facingMode: 'environment' };
      // (Pausing html5-qrcode between people to save work was tried: its pause/resume stalls now and then.)
      await qr.start(camera, { fps: SCAN_FPS, disableFlip: true }, (text) => onCode(text), () => {});
      try {
        torch = qr.getRunningTrackCameraCapabilities().torchFeature().isSupported();
      } catch {
        torch = false;
      }
    },
    async stop() {
      if (qr.isScanning) await qr.stop();
    },
    hasTorch: () => torch,
    async setTorch(on) {
      await qr.getRunningTrackCameraCapabilities().torchFeature().apply(on);
    },
    async cameras() {
      return Html5Qrcode.getCameras();
    },
  };
}
