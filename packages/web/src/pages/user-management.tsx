/**
 * User management (issue 13), used by the users page: the "Edit" dialog (name, email; a doctor's
 * specialty, CRM and state, time zone and slot length), the confirmation that disables or
 * re-enables an account (with a doctor's upcoming load, which stays booked), and the load cell.
 */
import { UFS, updateUserInputSchema } from "@healthflow/core/schemas";
import { type Component, createEffect, createResource, createSignal, For, on, Show } from "solid-js";
import { Dialog, ErrorAlert } from "../components/ui";
import { ZoneInput } from "../components/zone-input";
import { api } from "../lib/api";
import type { UpdateUserRequest, User } from "../lib/contract";
import { createForm } from "../lib/forms";
import { locale, t } from "../lib/i18n";
import type { MessageKey } from "../lib/messages";
import { formatDateTime, viewerZone } from "../lib/time";

const FIELD_ERRORS: Record<string, MessageKey> = {
  name: "validation.name",
  email: "validation.email",
  "doctor.crm": "validation.crm",
  "doctor.crmState": "validation.crm",
  "doctor.timezone": "validation.timezone",
};

/** A doctor's upcoming consultations, in a few words ("3 booked · 1 within 7 days · …"). */
export const LoadCell: Component<{ doctorId: string }> = (props) => {
  const [load] = createResource(() => props.doctorId, api.doctorLoad);
  return (
    <Show when={load()} fallback={<span class="muted">{load.error ? "—" : t("common.loading")}</span>}>
      {(l) => (
        <Show when={l().upcoming > 0} fallback={<span class="muted">{t("users.loadNone")}</span>}>
          <span>{t("users.loadSummary", { upcoming: l().upcoming, week: l().next7Days, month: l().next30Days })}</span>
          <Show when={l().nextConsultationAt}>
            {(next) => (
              <>
                <br />
                <span class="muted">
                  {t("users.loadNext", { when: formatDateTime(next(), locale(), viewerZone()) })}
                </span>
              </>
            )}
          </Show>
        </Show>
      )}
    </Show>
  );
};

export const EditUserDialog: Component<{
  user: User | undefined;
  onClose: () => void;
  onSaved: (user: User) => void | Promise<void>;
}> = (props) => {
  const [name, setName] = createSignal("");
  const [email, setEmail] = createSignal("");
  const [specialty, setSpecialty] = createSignal("");
  const [crm, setCrm] = createSignal("");
  const [crmState, setCrmState] = createSignal("SP");
  const [timezone, setTimezone] = createSignal("");
  const [slotMinutes, setSlotMinutes] = createSignal(30);
  const form = createForm();

  // Each time the dialog opens on someone, the form starts from their current values.
  createEffect(
    on(
      () => props.user,
      (u) => {
        if (!u) return;
        setName(u.name);
        setEmail(u.email);
        setSpecialty(u.doctor?.specialty ?? "");
        setCrm(u.doctor?.crm ?? "");
        setCrmState(u.doctor?.crmState ?? "SP");
        setTimezone(u.doctor?.timezone ?? viewerZone());
        setSlotMinutes(u.doctor?.slotMinutes ?? 30);
      },
    ),
  );

  const isDoctor = () => props.user?.role === "doctor";

  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    const u = props.user;
    if (!u) return;
    const input: UpdateUserRequest = {
      name: name(),
      email: email(),
      ...(isDoctor()
        ? {
            doctor: {
              specialty: specialty(),
              // A doctor without a CRM yet (an unreadable licence) keeps it unset until one is typed.
              ...(crm().trim() ? { crm: crm(), crmState: crmState() } : {}),
              timezone: timezone(),
              slotMinutes: slotMinutes(),
            },
          }
        : {}),
    };
    return form.run(
      updateUserInputSchema,
      input,
      async () => {
        await props.onSaved(await api.updateUser(u.id, input));
      },
      { serverFields: true },
    );
  };

  const field = (
    id: string,
    path: string,
    label: string,
    value: () => string | number,
    set: (v: string) => void,
    type = "text",
    inputmode?: "numeric",
  ) => (
    <div>
      <label for={id}>{label}</label>
      <input
        id={id}
        type={type}
        autocomplete="off"
        inputmode={inputmode}
        value={value()}
        onInput={(e) => set(e.currentTarget.value)}
        aria-invalid={!!form.errors()[path]}
        aria-describedby={form.errors()[path] ? `${id}-error` : undefined}
      />
      <Show when={form.errors()[path]}>
        <p id={`${id}-error`} class="field-error">
          {t(FIELD_ERRORS[path] ?? "validation.required")}
        </p>
      </Show>
    </div>
  );

  return (
    <Dialog
      open={props.user !== undefined}
      title={t("users.editTitle", { name: props.user?.name ?? "" })}
      onClose={() => props.onClose()}
    >
      {/* Fields exist only while the dialog is open: no second "Name" field hides in the page. */}
      <Show when={props.user}>
        <form onSubmit={submit} novalidate>
          {field("edit-user-name", "name", t("auth.name"), name, setName)}
          {field("edit-user-email", "email", t("auth.email"), email, setEmail, "email")}
          <p class="muted">{t("users.emailNote")}</p>
          <Show when={isDoctor()}>
            <fieldset>
              <legend>{t("users.doctorProfile")}</legend>
              {field("edit-user-specialty", "doctor.specialty", t("users.specialty"), specialty, setSpecialty)}
              {field("edit-user-crm", "doctor.crm", t("users.license"), crm, setCrm, "text", "numeric")}
              <div>
                <label for="edit-user-crm-state">{t("users.crmState")}</label>
                <select
                  id="edit-user-crm-state"
                  value={crmState()}
                  onChange={(e) => setCrmState(e.currentTarget.value)}
                >
                  <For each={UFS}>{(uf) => <option value={uf}>{uf}</option>}</For>
                </select>
              </div>
              <ZoneInput
                id="edit-user-timezone"
                label={t("availability.timezone")}
                value={timezone()}
                invalid={!!form.errors()["doctor.timezone"]}
                onInput={setTimezone}
              />
              {field(
                "edit-user-slot",
                "doctor.slotMinutes",
                t("availability.slotMinutes"),
                slotMinutes,
                (v) => setSlotMinutes(Number(v)),
                "number",
              )}
            </fieldset>
          </Show>
          <ErrorAlert error={form.error()} />
          <div class="actions">
            <button type="submit" disabled={form.busy()}>
              {form.busy() ? t("common.working") : t("common.save")}
            </button>
            <button type="button" class="secondary" onClick={() => props.onClose()}>
              {t("users.back")}
            </button>
          </div>
        </form>
      </Show>
    </Dialog>
  );
};

/** Confirms disabling (or re-enabling) an account; says what happens to a doctor's booked load. */
export const DisableDialog: Component<{
  user: User | undefined;
  onClose: () => void;
  onDone: (user: User) => void | Promise<void>;
}> = (props) => {
  const disabling = () => !props.user?.disabledAt;
  const [load] = createResource(
    () => (props.user?.role === "doctor" && disabling() ? props.user.id : undefined),
    api.doctorLoad,
  );
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<unknown>();
  createEffect(
    on(
      () => props.user,
      () => setError(undefined),
    ),
  );

  const confirm = async (e: SubmitEvent) => {
    e.preventDefault();
    const u = props.user;
    if (!u) return;
    setBusy(true);
    setError(undefined);
    try {
      await props.onDone(await (disabling() ? api.disableUser(u.id) : api.enableUser(u.id)));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      open={props.user !== undefined}
      title={t(disabling() ? "users.disableTitle" : "users.enableTitle", { name: props.user?.name ?? "" })}
      onClose={() => props.onClose()}
    >
      <Show when={props.user}>
        <form onSubmit={confirm}>
          <Show when={disabling()} fallback={<p>{t("users.enableConfirm")}</p>}>
            <p>{t("users.disableConfirm")}</p>
            <Show when={props.user?.role === "doctor"}>
              <p>{t("users.disableDoctorLoad", { count: load()?.upcoming ?? "…" })}</p>
            </Show>
            <Show when={props.user?.role === "patient"}>
              <p>{t("users.disablePatientNote")}</p>
            </Show>
          </Show>
          <ErrorAlert error={error()} />
          <div class="actions">
            <button type="submit" class={disabling() ? "danger" : undefined} disabled={busy()}>
              {busy() ? t("common.working") : t(disabling() ? "users.disable" : "users.enable")}
            </button>
            <button type="button" class="secondary" onClick={() => props.onClose()}>
              {t("users.back")}
            </button>
          </div>
        </form>
      </Show>
    </Dialog>
  );
};
