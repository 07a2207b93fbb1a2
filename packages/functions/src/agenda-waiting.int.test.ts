/**
 * The doctor's waiting room on Lambda (issue 15): API Gateway buffers a Lambda's response, so the
 * stack sets HEALTHFLOW_AGENDA_STREAM_SECONDS=0 and `GET /api/agenda/events` answers one snapshot
 * and ends (EventSource reconnects after `retry: 3000`); `GET /api/agenda/waiting` is the same data
 * for plain polling. Both through the real Lambda handler fed API Gateway v2 events.
 */

import { type LambdaV2Handler, viaLambda } from "@healthflow/test-kit/api-gateway";
import { createTestClinic, type TestClinic } from "@healthflow/test-kit/test-clinic";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lambdaHandlerFor } from "./lambda.js";

const ORIGIN = "https://api.healthflow.test";
const START = new Date("2032-05-04T13:00:00Z");
let clinic: TestClinic;
let send: (request: Request) => Promise<Response>;

beforeAll(async () => {
  clinic = await createTestClinic({
    now: new Date(START.getTime() - 2 * 3_600_000),
    config: { agendaStreamSeconds: 0 },
  });
  send = viaLambda(lambdaHandlerFor(clinic.app) as unknown as LambdaV2Handler);
});
afterAll(async () => {
  await clinic?.close();
});

describe("the waiting room through the Lambda handler", () => {
  it("polls and streams one snapshot with the patient's check-in", async () => {
    const doctor = await clinic.person("doctor", { doctor: { timezone: "UTC", slotMinutes: 30 } });
    await clinic.call("PUT", `/api/doctors/${doctor.user.id}/availability`, {
      as: doctor,
      body: { rules: [0, 1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, start: "00:00", end: "24:00" })) },
    });
    const patient = await clinic.person("patient");
    const booked = await clinic.call("POST", "/api/consultations", {
      as: patient,
      body: { doctorId: doctor.user.id, startsAt: START.toISOString() },
    });
    expect(booked.status).toBe(201);
    const id = booked.body.consultation.id as string;
    clinic.clock.set(new Date(START.getTime() - 8 * 60_000));
    const { version } = (await clinic.call("GET", "/api/consent/telemedicine")).body;
    expect(
      (await clinic.call("POST", `/api/consultations/${id}/consent`, { as: patient, body: { version } })).status,
    ).toBe(201);
    const checkIn = await clinic.call("POST", `/api/consultations/${id}/check-in`, { as: patient });
    expect(checkIn.status).toBe(200);

    const headers = { authorization: `Bearer ${doctor.token}` };
    const polled = await send(new Request(`${ORIGIN}/api/agenda/waiting`, { headers }));
    expect(polled.status).toBe(200);
    const body = (await polled.json()) as { consultations: { consultationId: string; checkedInAt: string }[] };
    expect(body.consultations).toContainEqual(
      expect.objectContaining({ consultationId: id, checkedInAt: checkIn.body.checkedInAt }),
    );

    const started = Date.now();
    const streamed = await send(new Request(`${ORIGIN}/api/agenda/events`, { headers }));
    expect(Date.now() - started).toBeLessThan(5000); // one snapshot, not a held-open stream
    expect(streamed.status).toBe(200);
    expect(streamed.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const text = await streamed.text();
    expect(text).toMatch(/^retry: 3000$/m);
    expect(text.match(/^event: waiting$/gm)).toHaveLength(1);
    const data = JSON.parse(/^data: (.*)$/m.exec(text)![1]!);
    expect(data.consultations).toContainEqual(
      expect.objectContaining({ consultationId: id, checkedInAt: checkIn.body.checkedInAt }),
    );
    // A patient may not watch the waiting room, on Lambda either.
    const refused = await send(
      new Request(`${ORIGIN}/api/agenda/events`, { headers: { authorization: `Bearer ${patient.token}` } }),
    );
    expect(refused.status).toBe(403);
  });
});
