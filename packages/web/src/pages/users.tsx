/**
 * Administration of people: list by role, create doctors, patients and admins; edit, disable and
 * re-enable an account, and see a doctor's upcoming load (issue 13). The forms are validated with
 * the server's own schemas before they are sent; a failure keeps everything typed.
 */
import { createUserInputSchema, UFS } from "@healthflow/core/schemas";
import { A } from "@solidjs/router";
import { type Component, createResource, createSignal, For, Show } from "solid-js";
import { ErrorAlert, Loading, Notice, PageTitle } from "../components/ui";
import { ZoneInput } from "../components/zone-input";
import { api } from "../lib/api";
import type { Role, User } from "../lib/contract";
import { createForm } from "../lib/forms";
import { t } from "../lib/i18n";
import { viewerZone } from "../lib/time";
import { DisableDialog, EditUserDialog, LoadCell } from "./user-management";

const ROLES: Role[] = ["patient", "doctor", "admin"];

const Users: Component = () => {
  const [filter, setFilter] = createSignal<Role | "">("");
  // Disabled accounts too (issue 13): they show with a badge and can be re-enabled.
  const [users, { refetch }] = createResource(filter, (role) => api.listUsers(role || undefined, "all"));

  const [role, setRole] = createSignal<Role>("doctor");
  const [name, setName] = createSignal("");
  const [email, setEmail] = createSignal("");
  const [password, setPassword] = createSignal("");
  /** Send an invitation link instead of choosing the password (issue "Patients hear from the clinic"). */
  const [invite, setInvite] = createSignal(false);
  const [specialty, setSpecialty] = createSignal("");
  const [license, setLicense] = createSignal("");
  const [crmState, setCrmState] = createSignal("SP");
  const [timezone, setTimezone] = createSignal(viewerZone());
  const [slotMinutes, setSlotMinutes] = createSignal(30);
  const [created, setCreated] = createSignal<{ id: string; name: string; role: Role }>();
  const { errors, error, busy, run } = createForm();
  // User management (issue 13): the account being edited, or disabled / re-enabled, and the outcome.
  const [editing, setEditing] = createSignal<User>();
  const [toggling, setToggling] = createSignal<User>();
  const [done, setDone] = createSignal<string>();

  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    setCreated(undefined);
    const input = {
      role: role(),
      name: name(),
      email: email(),
      ...(invite() ? { invite: true } : { password: password() }),
      ...(role() === "doctor"
        ? {
            doctor: {
              specialty: specialty(),
              crm: license(),
              crmState: crmState(),
              timezone: timezone(),
              slotMinutes: slotMinutes(),
            },
          }
        : {}),
    };
    return run(
      createUserInputSchema,
      input,
      async (data) => {
        const { user } = await api.createUser(data);
        setCreated({ id: user.id, name: user.name, role: user.role });
        setName("");
        setEmail("");
        setPassword("");
        setSpecialty("");
        setLicense("");
        await refetch();
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
    autocomplete = "off",
    inputmode?: "numeric",
  ) => (
    <div>
      <label for={id}>{label}</label>
      <input
        id={id}
        type={type}
        autocomplete={autocomplete}
        inputmode={inputmode}
        value={value()}
        onInput={(e) => set(e.currentTarget.value)}
        aria-invalid={!!errors()[path]}
        aria-describedby={errors()[path] ? `${id}-error` : undefined}
      />
      <Show when={errors()[path]}>
        <p id={`${id}-error`} class="field-error">
          {path === "email"
            ? t("validation.email")
            : path === "password"
              ? t("validation.password")
              : path === "doctor.crm"
                ? t("validation.crm")
                : t("validation.required")}
        </p>
      </Show>
    </div>
  );

  return (
    <>
      <PageTitle>{t("users.title")}</PageTitle>
      <form onSubmit={submit} aria-labelledby="new-user-heading" novalidate>
        <h2 id="new-user-heading">{t("users.create")}</h2>
        <div class="row">
          <div>
            <label for="user-role">{t("users.role")}</label>
            <select id="user-role" value={role()} onChange={(e) => setRole(e.currentTarget.value as Role)}>
              <For each={ROLES}>{(r) => <option value={r}>{t(`role.${r}`)}</option>}</For>
            </select>
          </div>
          {field("user-name", "name", t("auth.name"), name, setName)}
          {field("user-email", "email", t("auth.email"), email, setEmail, "email")}
          <Show when={!invite()}>
            {field(
              "user-password",
              "password",
              t("users.initialPassword"),
              password,
              setPassword,
              "password",
              "new-password",
            )}
          </Show>
        </div>
        <label class="inline">
          <input type="checkbox" checked={invite()} onChange={(e) => setInvite(e.currentTarget.checked)} />
          <span>{t("users.invite")}</span>
        </label>
        <Show when={role() === "doctor"}>
          <fieldset>
            <legend>{t("users.doctorProfile")}</legend>
            <div class="row">
              {field("user-specialty", "doctor.specialty", t("users.specialty"), specialty, setSpecialty)}
              {field("user-license", "doctor.crm", t("users.license"), license, setLicense, "text", "off", "numeric")}
              <div>
                <label for="user-crm-state">{t("users.crmState")}</label>
                <select id="user-crm-state" value={crmState()} onChange={(e) => setCrmState(e.currentTarget.value)}>
                  <For each={UFS}>{(uf) => <option value={uf}>{uf}</option>}</For>
                </select>
              </div>
              <ZoneInput
                id="user-timezone"
                label={t("availability.timezone")}
                value={timezone()}
                invalid={!!errors()["doctor.timezone"]}
                onInput={setTimezone}
              />
              {field(
                "user-slot",
                "doctor.slotMinutes",
                t("availability.slotMinutes"),
                slotMinutes,
                (v) => setSlotMinutes(Number(v)),
                "number",
              )}
            </div>
          </fieldset>
        </Show>
        <ErrorAlert error={error()} />
        <Show when={created()}>
          {(u) => (
            <Notice tone="success">
              {t("users.created", { name: u().name })}{" "}
              <Show when={u().role === "doctor"}>
                <A href={`/availability?doctor=${u().id}`}>{t("users.setAvailability")}</A>
              </Show>
            </Notice>
          )}
        </Show>
        <button type="submit" disabled={busy()}>
          {busy() ? t("common.working") : t("users.createDo")}
        </button>
      </form>

      <section aria-labelledby="list-heading">
        <h2 id="list-heading">{t("users.list")}</h2>
        <label for="user-filter">{t("users.filter")}</label>
        <select id="user-filter" value={filter()} onChange={(e) => setFilter(e.currentTarget.value as Role | "")}>
          <option value="">{t("users.allRoles")}</option>
          <For each={ROLES}>{(r) => <option value={r}>{t(`role.${r}`)}</option>}</For>
        </select>
        <Show when={done()}>
          <Notice tone="success">{done()!}</Notice>
        </Show>
        <Show when={!users.loading} fallback={<Loading />}>
          <ErrorAlert error={users.error} />
          <Show when={!users.error}>
            {/* Focusable, so a keyboard can scroll it sideways on a narrow screen. */}
            <section class="table-wrap" aria-label={t("users.tableRegion")} tabindex="0">
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t("auth.name")}</th>
                    <th scope="col">{t("auth.email")}</th>
                    <th scope="col">{t("users.role")}</th>
                    <th scope="col">{t("users.specialty")}</th>
                    <th scope="col">{t("users.status")}</th>
                    <th scope="col">{t("users.load")}</th>
                    <th scope="col">{t("common.actions")}</th>
                  </tr>
                </thead>
                <tbody>
                  <For each={users() ?? []}>
                    {(u) => (
                      <tr>
                        <td>{u.name}</td>
                        <td>{u.email}</td>
                        <td>{t(`role.${u.role}`)}</td>
                        <td>{u.doctor?.specialty ?? "—"}</td>
                        <td>
                          <Show
                            when={u.disabledAt}
                            fallback={<span class="badge badge-active">{t("users.activeBadge")}</span>}
                          >
                            <span class="badge badge-disabled">{t("users.disabledBadge")}</span>
                          </Show>
                        </td>
                        <td>
                          <Show when={u.role === "doctor"} fallback="—">
                            <LoadCell doctorId={u.id} />
                          </Show>
                        </td>
                        <td>
                          <div class="actions row-actions">
                            <button
                              type="button"
                              id={`edit-${u.id}`}
                              class="secondary"
                              onClick={() => {
                                setDone(undefined);
                                setEditing(u);
                              }}
                            >
                              {/* Named after whom it edits ("Editar Ana Souza"), not "Editar" twelve times. */}
                              {t("users.edit")}
                              <span class="visually-hidden"> {u.name}</span>
                            </button>
                            <button
                              type="button"
                              id={`toggle-${u.id}`}
                              class={u.disabledAt ? "secondary" : "danger"}
                              onClick={() => {
                                setDone(undefined);
                                setToggling(u);
                              }}
                            >
                              {t(u.disabledAt ? "users.enable" : "users.disable")}
                              <span class="visually-hidden"> {u.name}</span>
                            </button>
                          </div>
                        </td>
                      </tr>
                    )}
                  </For>
                </tbody>
              </table>
            </section>
          </Show>
        </Show>
      </section>
      <EditUserDialog
        user={editing()}
        onClose={() => setEditing(undefined)}
        onSaved={async (u) => {
          setEditing(undefined);
          setDone(t("users.saved", { name: u.name }));
          await refetch();
          setTimeout(() => document.getElementById(`edit-${u.id}`)?.focus(), 0);
        }}
      />
      <DisableDialog
        user={toggling()}
        onClose={() => setToggling(undefined)}
        onDone={async (u) => {
          setToggling(undefined);
          setDone(t(u.disabledAt ? "users.disabledDone" : "users.enabledDone", { name: u.name }));
          await refetch();
          setTimeout(() => document.getElementById(`toggle-${u.id}`)?.focus(), 0);
        }}
      />
    </>
  );
};

export default Users;
