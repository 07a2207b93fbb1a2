/**
 * Shapes of people on the wire, shared by the API (validation + OpenAPI) and the web app (types
 * and form validation). Plain zod: the browser bundle must not pull in server code.
 */
import { z } from "zod";
import { isValidTimeZone } from "../time/time-zone.js";

export const roleSchema = z.enum(["admin", "doctor", "patient"]);
export type Role = z.infer<typeof roleSchema>;

export const emailSchema = z
  .string()
  .trim()
  .max(254)
  .email()
  .transform((e) => e.toLowerCase());
export const passwordSchema = z.string().min(8, "at least 8 characters").max(200);
export const nameSchema = z.string().trim().min(1).max(200);
export const timeZoneSchema = z.string().max(64).refine(isValidTimeZone, "not an IANA time zone");

/** The language of a person's messages and, by default, of their screens. */
export const languageSchema = z.enum(["pt-BR", "en"]);
export type Language = z.infer<typeof languageSchema>;

export const doctorProfileSchema = z.object({
  specialty: z.string().trim().min(1).max(120),
  licenseNumber: z.string().trim().min(1).max(40),
  timezone: timeZoneSchema,
  slotMinutes: z.number().int().min(5).max(240).default(30),
});
export type DoctorProfile = z.infer<typeof doctorProfileSchema>;

export const userSchema = z.object({
  id: z.string().uuid(),
  email: z.string(),
  name: z.string(),
  role: roleSchema,
  doctor: doctorProfileSchema.optional(),
  language: languageSchema,
  emailVerified: z.boolean(),
});
export type User = z.infer<typeof userSchema>;

export const loginInputSchema = z.object({
  email: emailSchema,
  password: z.string().min(1).max(200),
});
export type LoginInput = z.infer<typeof loginInputSchema>;

/** The forms of the account screens (forgot password, resend, reset, invitation, change password). */
export const emailOnlySchema = z.object({ email: emailSchema });
export const newPasswordSchema = z.object({ password: passwordSchema });
export const changePasswordInputSchema = z.object({
  currentPassword: z.string().min(1).max(200),
  newPassword: passwordSchema,
});

export const registerInputSchema = z.object({
  email: emailSchema,
  password: passwordSchema,
  name: nameSchema,
  language: languageSchema.optional(),
});
export type RegisterInput = z.infer<typeof registerInputSchema>;

export const createUserInputSchema = z
  .object({
    email: emailSchema,
    name: nameSchema,
    role: roleSchema,
    password: passwordSchema.optional(),
    /** Send an invitation link instead: the person chooses their own password. */
    invite: z.boolean().optional(),
    doctor: doctorProfileSchema.optional(),
    language: languageSchema.optional(),
  })
  .refine((u) => (u.role === "doctor") === (u.doctor !== undefined), {
    message: "a doctor needs a `doctor` profile, and only a doctor may have one",
    path: ["doctor"],
  })
  .refine((u) => (u.invite === true) !== (u.password !== undefined), {
    message: "give either a `password` or `invite: true`, not both",
    path: ["password"],
  });
export type CreateUserInput = z.infer<typeof createUserInputSchema>;

export const doctorSummarySchema = z.object({
  id: z.string().uuid(),
  name: z.string(),
  specialty: z.string(),
  timezone: z.string(),
  slotMinutes: z.number().int(),
});
export type DoctorSummary = z.infer<typeof doctorSummarySchema>;
