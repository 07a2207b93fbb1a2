/**
 * Shapes of people on the wire, shared by the API (validation + OpenAPI) and the web app (types
 * and form validation). Plain zod: the browser bundle must not pull in server code.
 */
import { z } from "zod";
import { CRM_PATTERN, formatLicense, normaliseCrm, parseLicense, UFS, type Uf } from "../telemedicine/crm.js";
import { isValidTimeZone } from "../time/time-zone.js";
import { normaliseCpf } from "./cpf.js";

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
/** A CPF with valid check digits, with or without punctuation; normalised to its 11 digits. */
export const cpfSchema = z
  .string()
  .max(20)
  .transform((value, ctx) => {
    const cpf = normaliseCpf(value);
    if (cpf === null) {
      ctx.addIssue({ code: "custom", message: "not a valid CPF (11 digits with valid check digits)" });
      return z.NEVER;
    }
    return cpf;
  });
/**
 * A phone number as people type it ("+55 (11) 98765-4321"), stored normalised: an optional "+" and
 * its 8 to 15 digits ("+5511987654321"). Search (issue #13) matches any run of its digits.
 */
export const phoneSchema = z
  .string()
  .trim()
  .max(30)
  .transform((value, ctx) => {
    const normalised = value.replace(/[\s().-]/g, "");
    if (!/^\+?[0-9]{8,15}$/.test(normalised)) {
      ctx.addIssue({ code: "custom", message: "a phone number: 8 to 15 digits, optionally with + ( ) - and spaces" });
      return z.NEVER;
    }
    return normalised;
  });
export const timeZoneSchema = z.string().max(64).refine(isValidTimeZone, "not an IANA time zone");

/** The language of a person's messages and, by default, of their screens. */
export const languageSchema = z.enum(["pt-BR", "en"]);
export type Language = z.infer<typeof languageSchema>;

export const crmSchema = z
  .string()
  .trim()
  .regex(CRM_PATTERN, "the CRM number: digits only, up to 10")
  .transform(normaliseCrm)
  .refine((v) => v !== "0", "the CRM number cannot be zero");
export const crmStateSchema = z
  .string()
  .trim()
  .transform((v) => v.toUpperCase())
  .pipe(z.enum(UFS, { message: "the two-letter state (UF) of the council, such as SP" }));

/** A doctor's profile as read: `licenseNumber` is "CRM-SP 123456", derived from `crm` and `crmState`. */
export const doctorProfileSchema = z.object({
  specialty: z.string().trim().min(1).max(120),
  licenseNumber: z.string().trim().min(1).max(40),
  crm: z.string().nullable().optional(),
  crmState: z.string().nullable().optional(),
  timezone: timeZoneSchema,
  slotMinutes: z.number().int().min(5).max(240).default(30),
});
export type DoctorProfile = z.infer<typeof doctorProfileSchema>;

const crmFields = {
  crm: crmSchema.optional(),
  crmState: crmStateSchema.optional(),
  /** For existing clients: a licence that reads as a CRM ("CRM-SP 123456") stands for the two fields. */
  licenseNumber: z.string().trim().min(1).max(40).optional(),
};

/**
 * Resolves `crm` + `crmState` (or a legacy `licenseNumber` that reads as a CRM) into all three
 * fields; anything else is a validation issue on `crm`.
 */
function withCrm<T extends { crm?: string; crmState?: Uf; licenseNumber?: string }>(
  p: T,
  ctx: z.RefinementCtx,
  required: boolean,
): T {
  if (p.crm !== undefined || p.crmState !== undefined) {
    if (p.crm === undefined || p.crmState === undefined) {
      ctx.addIssue({
        code: "custom",
        path: [p.crm === undefined ? "crm" : "crmState"],
        message: "give crm and crmState together",
      });
      return p;
    }
    return { ...p, licenseNumber: formatLicense(p.crm, p.crmState) };
  }
  if (p.licenseNumber !== undefined) {
    const parsed = parseLicense(p.licenseNumber);
    if (!parsed) {
      ctx.addIssue({
        code: "custom",
        path: ["crm"],
        message: 'give crm (digits) and crmState (UF); licenseNumber must read as "CRM-SP 123456"',
      });
      return p;
    }
    return { ...p, ...parsed, licenseNumber: formatLicense(parsed.crm, parsed.crmState) };
  }
  if (required) ctx.addIssue({ code: "custom", path: ["crm"], message: "a doctor needs crm and crmState" });
  return p;
}

/** A doctor's profile as written: CRM number and state validated. */
export const doctorProfileInputSchema = z
  .object({
    specialty: z.string().trim().min(1).max(120),
    ...crmFields,
    timezone: timeZoneSchema,
    slotMinutes: z.number().int().min(5).max(240).default(30),
  })
  .transform((p, ctx) => withCrm(p, ctx, true));
export type DoctorProfileInput = z.input<typeof doctorProfileInputSchema>;

/** Editing a doctor: every field optional; the CRM is still given as a pair. */
export const doctorProfilePatchSchema = z
  .object({
    specialty: z.string().trim().min(1).max(120).optional(),
    ...crmFields,
    timezone: timeZoneSchema.optional(),
    slotMinutes: z.number().int().min(5).max(240).optional(),
  })
  .transform((p, ctx) => withCrm(p, ctx, false));
export type DoctorProfilePatch = z.output<typeof doctorProfilePatchSchema>;

export const updateUserInputSchema = z
  .object({
    name: nameSchema.optional(),
    /** User management (issue 13): unique case-insensitively (409 `email_taken`). */
    email: emailSchema.optional(),
    doctor: doctorProfilePatchSchema.optional(),
  })
  .refine((u) => u.name !== undefined || u.email !== undefined || u.doctor !== undefined, {
    message: "nothing to change",
  });
export type UpdateUserInput = z.output<typeof updateUserInputSchema>;

export const userSchema = z.object({
  id: z.string().uuid(),
  email: z.string(),
  name: z.string(),
  role: roleSchema,
  doctor: doctorProfileSchema.optional(),
  language: languageSchema,
  emailVerified: z.boolean(),
  /** Patients only, when the clinic records it: 11 digits. */
  cpf: z.string().optional(),
  /** When recorded: "+" and digits, normalised (see `phoneSchema`). */
  phone: z.string().optional(),
  /** Only on a disabled account: when it was disabled (ISO 8601). Absent on an active one (issue 13). */
  disabledAt: z.string().optional(),
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
  cpf: cpfSchema.optional(),
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
    doctor: doctorProfileInputSchema.optional(),
    language: languageSchema.optional(),
    cpf: cpfSchema.optional(),
    phone: phoneSchema.optional(),
  })
  .refine((u) => (u.role === "doctor") === (u.doctor !== undefined), {
    message: "a doctor needs a `doctor` profile, and only a doctor may have one",
    path: ["doctor"],
  })
  .refine((u) => (u.invite === true) !== (u.password !== undefined), {
    message: "give either a `password` or `invite: true`, not both",
    path: ["password"],
  })
  .refine((u) => u.cpf === undefined || u.role === "patient", {
    message: "only a patient's CPF is recorded",
    path: ["cpf"],
  });
/** The body of `POST /api/users`, as a client writes it. */
export type CreateUserRequest = z.input<typeof createUserInputSchema>;

/**
 * What createUser takes. Inside core a doctor may come with a licence only (seeds, tests); the HTTP
 * edge has already required and resolved the CRM.
 */
export type CreateUserInput = Omit<z.output<typeof createUserInputSchema>, "doctor"> & {
  doctor?: {
    specialty: string;
    licenseNumber?: string;
    crm?: string;
    crmState?: string;
    timezone: string;
    slotMinutes: number;
  };
};

export const doctorSummarySchema = z.object({
  id: z.string().uuid(),
  name: z.string(),
  specialty: z.string(),
  crm: z.string().nullable().optional(),
  crmState: z.string().nullable().optional(),
  timezone: z.string(),
  slotMinutes: z.number().int(),
});
export type DoctorSummary = z.infer<typeof doctorSummarySchema>;

/** Response bodies, as the routes declare them and the web app reads them. */
export const userEnvelopeSchema = z.object({ user: userSchema });
export const userPageSchema = z.object({ users: z.array(userSchema), nextCursor: z.string().nullable() });
export const doctorListSchema = z.object({ doctors: z.array(doctorSummarySchema) });
/** Sign-in and sign-up: the user and a bearer token (the browser uses the cookie set beside it). */
export const sessionResponseSchema = z.object({ user: userSchema, token: z.string() });
/** `GET /api/auth/session`: who is signed in, `null` when nobody is (200 either way). */
export const currentSessionSchema = z.object({ user: userSchema.nullable() });

// --- User management (issue 13) ---------------------------------------------------------------

/**
 * `PATCH /api/auth/me`: one's own profile. Role and email are not editable here (unknown fields are
 * refused with 400, not ignored); `phone: null` removes the phone.
 */
export const updateMeInputSchema = z
  .object({
    name: nameSchema.optional(),
    phone: phoneSchema.nullable().optional(),
    language: languageSchema.optional(),
  })
  .strict();
export type UpdateMeInput = z.infer<typeof updateMeInputSchema>;

/** `GET /api/users?status=`: active accounts by default (pickers); the admin's table asks for `all`. */
export const userStatusFilterSchema = z.enum(["active", "disabled", "all"]);
export type UserStatusFilter = z.infer<typeof userStatusFilterSchema>;

/**
 * `GET /api/doctors/{id}/load`: the doctor's upcoming consultations still to happen (status
 * `scheduled`, not yet ended), counted from now, and the start of the next one.
 */
export const doctorLoadSchema = z.object({
  doctorId: z.string().uuid(),
  upcoming: z.number().int(),
  next7Days: z.number().int(),
  next30Days: z.number().int(),
  nextConsultationAt: z.string().nullable(),
});
export type DoctorLoad = z.infer<typeof doctorLoadSchema>;
