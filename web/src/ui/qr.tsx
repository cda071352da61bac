import QRCode from 'qrcode';
import { useEffect, useState } from 'preact/hooks';

/** A QR code of `text` as inline SVG (the web app's only importer of qrcode). */
export function QrCode(props: { text: string; size?: number; label: string }) {
  const [svg, setSvg] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    QRCode.toString(props.text, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' }).then((s) => live && setSvg(s));
    return () => {
      live = false;
    };
  }, [props.text]);
  const size = props.size ?? 160;
  // The SVG is qrcode's own output for our own text: no user markup reaches it.
  return <div class="qr" role="img" aria-label={props.label} style={{ width: size, height: size }} dangerouslySetInnerHTML={svg ? { __html: svg } : undefined} />;
}
