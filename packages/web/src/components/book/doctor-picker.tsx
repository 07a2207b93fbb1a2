/** Specialty, then doctor: the first step of booking. */
import { type Component, createMemo, For } from "solid-js";
import type { DoctorSummary } from "../../lib/contract";
import { t } from "../../lib/i18n";

export const DoctorPicker: Component<{
  doctors: DoctorSummary[];
  specialty: string;
  doctorId: string;
  onSpecialty: (specialty: string) => void;
  onDoctor: (doctorId: string) => void;
}> = (props) => {
  const specialties = createMemo(() => [...new Set(props.doctors.map((d) => d.specialty))].sort());
  const shown = createMemo(() => props.doctors.filter((d) => !props.specialty || d.specialty === props.specialty));
  return (
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
  );
};
