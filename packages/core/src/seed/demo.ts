/**
 * A small demo clinic so a newcomer sees a living platform: three doctors in three Brazilian time
 * zones, a few patients. Passwords are random per install and kept (owner-only) in the data folder
 * so `npm start` can show them again on the next start; nothing fixed is shipped.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Db } from "../db/database.js";
import type { Logger } from "../log/logger.js";
import { generatePassword } from "../users/password.js";
import { createUser } from "../users/user.js";
import type { CreateUserInput, User } from "../users/user.schema.js";

/** The demo clinic's address (HEALTHFLOW_CLINIC_ADDRESS when the demo runs without one): made up. */
export const DEMO_CLINIC_ADDRESS = "Av. Paulista, 1000, conj. 101 – Bela Vista, São Paulo – SP, 01310-100";

export interface DemoLogin {
  role: User["role"];
  name: string;
  email: string;
  password: string;
}

const DEMO_DOCTORS: Omit<CreateUserInput, "password">[] = [
  {
    email: "ana.souza@demo.healthflow.local",
    name: "Dra. Ana Souza",
    role: "doctor",
    doctor: {
      specialty: "Cardiologia",
      licenseNumber: "CRM/SP 123456",
      timezone: "America/Sao_Paulo",
      slotMinutes: 30,
    },
  },
  {
    email: "bruno.lima@demo.healthflow.local",
    name: "Dr. Bruno Lima",
    role: "doctor",
    doctor: { specialty: "Pediatria", licenseNumber: "CRM/AM 654321", timezone: "America/Manaus", slotMinutes: 20 },
  },
  {
    email: "carla.mendes@demo.healthflow.local",
    name: "Dra. Carla Mendes",
    role: "doctor",
    doctor: {
      specialty: "Dermatologia",
      licenseNumber: "CRM/AC 112233",
      timezone: "America/Rio_Branco",
      slotMinutes: 45,
    },
  },
];

/** Phones (normalised, see users.phone) so the search finds them by number too (issue #13). */
const DEMO_PATIENTS: Omit<CreateUserInput, "password">[] = [
  { email: "joao.pereira@demo.healthflow.local", name: "João Pereira", role: "patient", phone: "+5511987650001" },
  { email: "maria.oliveira@demo.healthflow.local", name: "Maria Oliveira", role: "patient", phone: "+5521987650002" },
  { email: "pedro.santos@demo.healthflow.local", name: "Pedro Santos", role: "patient", phone: "+5592987650003" },
  { email: "lucia.ferreira@demo.healthflow.local", name: "Lúcia Ferreira", role: "patient", phone: "+5511987650004" },
];

export interface DemoClinic {
  doctors: User[];
  patients: User[];
  logins: DemoLogin[];
}

/** Creates the demo people. Extended by scheduling with availability and consultations. */
export async function seedDemoPeople(db: Db, logger: Logger): Promise<DemoClinic> {
  const logins: DemoLogin[] = [];
  const make = async (input: Omit<CreateUserInput, "password">) => {
    const password = generatePassword();
    const user = await createUser(db, { ...input, password } as CreateUserInput, null);
    logins.push({ role: user.role, name: user.name, email: user.email, password });
    return user;
  };
  const doctors: User[] = [];
  for (const d of DEMO_DOCTORS) doctors.push(await make(d));
  const patients: User[] = [];
  for (const p of DEMO_PATIENTS) patients.push(await make(p));
  logger.info("demo clinic created", { doctors: doctors.length, patients: patients.length });
  return { doctors, patients, logins };
}

const LOGINS_FILE = "demo-logins.json";

export function saveDemoLogins(dataDir: string, logins: DemoLogin[]): void {
  writeFileSync(join(dataDir, LOGINS_FILE), `${JSON.stringify(logins, null, 2)}\n`, { mode: 0o600 });
}

export function readDemoLogins(dataDir: string): DemoLogin[] {
  try {
    return JSON.parse(readFileSync(join(dataDir, LOGINS_FILE), "utf8")) as DemoLogin[];
  } catch {
    return [];
  }
}
