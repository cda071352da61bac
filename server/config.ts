import path from 'node:path';
import { z } from 'zod';

/** Is `tz` an IANA time zone this runtime knows? */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const boolish = z
  .enum(['0', '1', 'true', 'false', 'yes', 'no', ''])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(8080),
  HOST: z.string().default('0.0.0.0'),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z.string().url().optional(),
  TZ: z.string().refine(isTimeZone, 'not a known IANA time zone').default('Asia/Shanghai'),
  /** Minutes of inactivity after which an office session ends. */
  SESSION_IDLE_MINUTES: z.coerce.number().int().min(5).max(7 * 24 * 60).default(8 * 60),
  /** Trust X-Forwarded-For for the client address (only behind your own load balancer). */
  TRUST_PROXY: boolish.default(false),
  /** Send the Secure flag on cookies (set when served over HTTPS). */
  SECURE_COOKIES: boolish.default(false),
  LOG_REQUESTS: boolish.default(true),
  /** Hours without activity after which a shift is closed automatically (its tablet went silent). */
  SHIFT_IDLE_HOURS: z.coerce.number().positive().max(7 * 24).default(12),
  /** Retention defaults (days) for compounds that set none: gate checks and visitors, photos, test results. */
  RETENTION_GATE_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  RETENTION_PHOTO_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  RETENTION_TEST_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  /** Disinfection records (without photos) and shift logs. */
  RETENTION_RECORD_DAYS: z.coerce.number().int().min(1).max(3650).default(180),
  /** The quiet local hour (compound's time zone) at which the daily purge runs. */
  PURGE_HOUR: z.coerce.number().int().min(0).max(23).default(3),
  /** Scheduled SQLite backups: folder, period, how many to keep (BACKUP_DIR unset: none scheduled). */
  BACKUP_DIR: z.string().optional(),
  BACKUP_EVERY_HOURS: z.coerce.number().positive().max(24 * 30).default(24),
  BACKUP_KEEP: z.coerce.number().int().min(1).max(1000).default(7),
  /** `auto`: serve HTTPS on HTTPS_PORT with a certificate from a local CA made for this installation. */
  HTTPS: z.enum(['off', 'auto']).default('off'),
  HTTPS_PORT: z.coerce.number().int().min(1).max(65535).default(8443),
  /** Extra DNS names for the certificate, comma-separated (e.g. the office PC's name on the compound's router). */
  HTTPS_NAMES: z
    .string()
    .default('')
    .transform((s) => s.split(',').map((n) => n.trim().toLowerCase()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^[a-z0-9*]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/, 'not a DNS name'))),
});

export type Config = {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  timezone: string;
  sessionIdleMinutes: number;
  trustProxy: boolean;
  secureCookies: boolean;
  logRequests: boolean;
  shiftIdleHours: number;
  https: 'off' | 'auto';
  httpsPort: number;
  httpsNames: string[];
  retention: RetentionDefaults;
  purgeHour: number;
  backup: { dir: string | undefined; everyHours: number; keep: number };
};

/** The lifecycle settings of a configuration, with the defaults for what it leaves out. */
export function lifecycleConfig(c: Partial<Pick<Config, 'retention' | 'purgeHour' | 'backup'>>): Pick<Config, 'retention' | 'purgeHour' | 'backup'> {
  return {
    retention: c.retention ?? { gateDays: 30, photoDays: 30, testDays: 30, recordDays: 180 },
    purgeHour: c.purgeHour ?? 3,
    backup: c.backup ?? { dir: undefined, everyHours: 24, keep: 7 },
  };
}

/** Days each kind of data is kept, unless a compound sets its own. */
export interface RetentionDefaults {
  gateDays: number;
  photoDays: number;
  testDays: number;
  recordDays: number;
}

/** Parse the process environment once; a bad value stops the start with a message naming it. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = EnvSchema.safeParse(
    Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== '')),
  );
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (e.HTTPS === 'auto' && e.HTTPS_PORT === e.PORT) {
    throw new Error(`Invalid configuration:\n  HTTPS_PORT: must differ from PORT (${e.PORT}): plain HTTP keeps serving /connect there`);
  }
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(e.DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    timezone: e.TZ,
    sessionIdleMinutes: e.SESSION_IDLE_MINUTES,
    trustProxy: e.TRUST_PROXY,
    secureCookies: e.SECURE_COOKIES,
    logRequests: e.LOG_REQUESTS,
    shiftIdleHours: e.SHIFT_IDLE_HOURS,
    https: e.HTTPS,
    httpsPort: e.HTTPS_PORT,
    httpsNames: e.HTTPS_NAMES,
    retention: { gateDays: e.RETENTION_GATE_DAYS, photoDays: e.RETENTION_PHOTO_DAYS, testDays: e.RETENTION_TEST_DAYS, recordDays: e.RETENTION_RECORD_DAYS },
    purgeHour: e.PURGE_HOUR,
    backup: { dir: e.BACKUP_DIR ? path.resolve(e.BACKUP_DIR) : undefined, everyHours: e.BACKUP_EVERY_HOURS, keep: e.BACKUP_KEEP },
  };
}
