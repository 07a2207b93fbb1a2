/**
 * The clinic of the double-booking races (REST and FHIR): one doctor with 30-minute slots, open
 * 08:00-18:00 on weekdays (São Paulo time), and 50 patients ready to book the same slot at once.
 */
import { createTestClinic, type TestClinic, type TestPerson } from "./test-clinic.js";

export const RACE_PATIENTS = 50;

export async function createRaceClinic(
  options: Parameters<typeof createTestClinic>[0],
): Promise<{ clinic: TestClinic; doctor: TestPerson; patients: TestPerson[] }> {
  const clinic = await createTestClinic(options);
  const doctor = await clinic.person("doctor", { doctor: { slotMinutes: 30, timezone: "America/Sao_Paulo" } });
  await clinic.call("PUT", `/api/doctors/${doctor.user.id}/availability`, {
    as: doctor,
    body: { rules: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: "08:00", end: "18:00" })) },
  });
  const patients = await Promise.all(Array.from({ length: RACE_PATIENTS }, () => clinic.person("patient")));
  return { clinic, doctor, patients };
}
