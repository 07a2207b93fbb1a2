/**
 * The whole demo clinic: people, weekly availability in each doctor's zone, a few past
 * consultations (completed, one no-show) and upcoming ones, so a newcomer sees a living agenda.
 */
import { randomBytes } from "node:crypto";
import type { Db } from "../db/database.js";
import type { Logger } from "../log/logger.js";
import { listSlots, putAvailability } from "../scheduling/availability.js";
import { book } from "../scheduling/consultation.js";
import { addDays, type LocalDate, localToUtc, toLocal, weekdayOf } from "../scheduling/zoned-time.js";
import { type DemoClinic, seedDemoPeople } from "./demo.js";

export interface DemoOptions {
  logger: Logger;
  now: Date;
  minNoticeMinutes: number;
}

const BOTH: ("video" | "in_person")[] = ["video", "in_person"];
/** Mornings at the clinic or by video, afternoons in person only, Saturdays by video only (issue #13). */
const WEEKLY = {
  mornings: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: "08:00", end: "12:00", modes: BOTH })),
  afternoons: [1, 2, 3, 4, 5].map((weekday) => ({
    weekday,
    start: "14:00",
    end: "18:00",
    modes: ["in_person" as const],
  })),
  afternoonsBoth: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: "14:00", end: "18:00", modes: BOTH })),
  saturday: [{ weekday: 6, start: "09:00", end: "12:00", modes: ["video" as const] }],
};

/**
 * Reasons a patient would give each demo specialty (no chest pain at the dermatologist). A doctor
 * of a specialty not listed gets the general ones.
 */
export const DEMO_REASONS: Record<string, string[]> = {
  Cardiologia: ["Dor no peito ao esforço", "Palpitações", "Controle da pressão arterial", "Check-up cardiológico"],
  Pediatria: ["Febre há 3 dias", "Consulta de puericultura", "Tosse e coriza", "Acompanhamento do crescimento"],
  Dermatologia: ["Mancha na pele", "Acne", "Coceira persistente", "Avaliação de pinta"],
};
const GENERAL_REASONS = ["Consulta de rotina", "Retorno", "Check-up anual"];

/** The demo reason number `n` for a doctor of `specialty`. */
export function demoReason(specialty: string | undefined, n: number): string {
  const list = (specialty && DEMO_REASONS[specialty]) || GENERAL_REASONS;
  return list[n % list.length]!;
}

export async function seedDemoClinic(db: Db, options: DemoOptions): Promise<DemoClinic> {
  const clinic = await seedDemoPeople(db, options.logger);
  const [ana, bruno, carla] = clinic.doctors as [
    DemoClinic["doctors"][number],
    DemoClinic["doctors"][number],
    DemoClinic["doctors"][number],
  ];
  const system = { id: ana.id, role: "admin" as const };
  await putAvailability(db, ana.id, { rules: [...WEEKLY.mornings, ...WEEKLY.afternoons] }, system);
  await putAvailability(db, bruno.id, { rules: [...WEEKLY.mornings, ...WEEKLY.saturday] }, system);
  await putAvailability(db, carla.id, { rules: WEEKLY.afternoonsBoth }, system);

  // Upcoming: the first free slots of the next days, spread over the patients.
  const clock = { now: options.now, minNoticeMinutes: options.minNoticeMinutes };
  let n = 0;
  let upcoming = 0;
  for (const doctor of clinic.doctors) {
    const slots = await listSlots(db, doctor.id, options.now, new Date(options.now.getTime() + 7 * 86_400_000), clock);
    for (const slot of slots.filter((_, i) => i % 5 === 0).slice(0, 3)) {
      const patient = clinic.patients[n % clinic.patients.length]!;
      // Every third one in person, where the slot offers it (the others by video where offered).
      const mode =
        slot.modes.includes("in_person") && (n % 3 === 1 || !slot.modes.includes("video")) ? "in_person" : "video";
      const booked = await book(
        db,
        {
          doctorId: doctor.id,
          patientId: patient.id,
          startsAt: new Date(slot.startsAt),
          reason: demoReason(doctor.doctor?.specialty, n),
          mode,
        },
        { id: doctor.id, role: "doctor" },
        clock,
      ).catch(() => undefined); // a patient already busy at that time: skip, it is only demo data
      if (booked) upcoming++;
      n++;
    }
  }

  // History: past consultations cannot be booked through the rules (they are in the past), so they
  // are written directly, as a migration from an old system would.
  for (const [i, doctor] of clinic.doctors.entries()) {
    for (let k = 1; k <= 2; k++) {
      // A weekday 1-2 weeks ago, at 15:00 in the doctor's own zone (inside every demo doctor's hours).
      const zone = doctor.doctor?.timezone ?? "America/Sao_Paulo";
      let day = toLocal(options.now.getTime() - k * 7 * 86_400_000, zone) as LocalDate;
      while (weekdayOf(day) === 0 || weekdayOf(day) === 6) day = addDays(day, -1);
      const start = new Date(localToUtc(day, 15 * 60, zone) ?? options.now.getTime() - k * 7 * 86_400_000);
      await db
        .insertInto("consultations")
        .values({
          doctor_id: doctor.id,
          patient_id: clinic.patients[(i + k) % clinic.patients.length]!.id,
          starts_at: start,
          ends_at: new Date(start.getTime() + 30 * 60_000),
          status: k === 2 && i === 1 ? "no_show" : "completed",
          // 15:00 is an in-person afternoon for Dra. Ana; the others saw these patients by video.
          mode: i === 0 ? "in_person" : "video",
          reason: demoReason(doctor.doctor?.specialty, i + k),
          notes: k === 2 && i === 1 ? null : "Exame físico sem alterações. Orientações dadas.",
          room_name: `hf${randomBytes(16).toString("hex")}`,
          created_by: doctor.id,
        })
        .execute();
    }
  }
  options.logger.info("demo agenda created", { upcoming });
  return clinic;
}
