import { supportedZones } from '../../../server/core/time';

/** The compound's time zone, picked from a list (Asia/Shanghai first): never typed, so never misspelt. */
export function TimeZoneSelect(props: { value: string; onChange: (tz: string) => void }) {
  const zones = supportedZones();
  // A compound set up before the list existed keeps its zone on offer.
  const options = zones.includes(props.value) ? zones : [props.value, ...zones];
  return (
    <select name="timezone" value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)} required>
      {options.map((z) => (
        <option key={z} value={z}>
          {z}
        </option>
      ))}
    </select>
  );
}
