/**
 * Specialty, then doctor: the first step of booking. Search (issue #13): a search box finds doctors
 * by name or specialty on the server (`GET /api/doctors?q=&specialty=`, accents aside), 250 ms after
 * the last keystroke; without words, the specialty filters the full list.
 */
import { type Component, createMemo, createResource, createSignal, For, onCleanup, Show } from "solid-js";
import { api } from "../../lib/api";
import type { DoctorSummary } from "../../lib/contract";
import { t } from "../../lib/i18n";

export const DoctorPicker: Component<{
  doctors: DoctorSummary[];
  specialty: string;
  doctorId: string;
  onSpecialty: (specialty: string) => void;
  onDoctor: (doctorId: string) => void;
}> = (props) => {
  const [typed, setTyped] = createSignal("");
  const [query, setQuery] = createSignal("");
  let timer: ReturnType<typeof setTimeout> | undefined;
  onCleanup(() => clearTimeout(timer));
  const [found] = createResource(
    () => (query() ? { q: query(), specialty: props.specialty || undefined } : undefined),
    (q) => api.searchDoctors(q),
  );
  const specialties = createMemo(() => [...new Set(props.doctors.map((d) => d.specialty))].sort());
  const shown = createMemo(() =>
    query() ? (found.latest ?? []) : props.doctors.filter((d) => !props.specialty || d.specialty === props.specialty),
  );
  return (
    <>
      <div class="doctor-search">
        <label for="book-doctor-search">{t("search.doctorLabel")}</label>
        <input
          id="book-doctor-search"
          type="search"
          autocomplete="off"
          maxlength={100}
          placeholder={t("search.doctorPlaceholder")}
          aria-describedby="book-doctor-found"
          value={typed()}
          onInput={(e) => {
            const value = e.currentTarget.value;
            setTyped(value);
            clearTimeout(timer);
            timer = setTimeout(() => setQuery(value.trim()), 250);
          }}
        />
        <p id="book-doctor-found" role="status" class="muted">
          <Show when={query() && !found.loading}>
            {shown().length === 0 ? t("search.noDoctors") : t("search.doctorsFound", { count: shown().length })}
          </Show>
        </p>
      </div>
      <div class="row">
        <div>
          <label for="book-specialty">{t("book.specialty")}</label>
          <select
            id="book-specialty"
            value={props.specialty}
            onChange={(e) => {
              const specialty = e.currentTarget.value;
              props.onSpecialty(specialty);
              const current = props.doctors.find((d) => d.id === props.doctorId);
              if (current && specialty && current.specialty !== specialty) props.onDoctor("");
            }}
          >
            <option value="">{t("book.anySpecialty")}</option>
            <For each={specialties()}>{(s) => <option value={s}>{s}</option>}</For>
          </select>
        </div>
        <div>
          <label for="book-doctor">{t("book.doctor")}</label>
          <select id="book-doctor" value={props.doctorId} onChange={(e) => props.onDoctor(e.currentTarget.value)}>
            <option value="">{t("book.chooseDoctor")}</option>
            <For each={shown()}>
              {(d) => (
                <option value={d.id} selected={d.id === props.doctorId}>
                  {`${d.name} · ${d.specialty}`}
                </option>
              )}
            </For>
          </select>
        </div>
      </div>
    </>
  );
};
