import { type Component, For } from "solid-js";
import type { DoctorSummary } from "../lib/contract";

/** The admin's doctor picker (agenda filter, availability editor): a labelled native select. */
export const DoctorSelect: Component<{
  id: string;
  label: string;
  emptyLabel: string;
  value: string | undefined;
  doctors: DoctorSummary[] | undefined;
  onChange: (doctorId: string | undefined) => void;
}> = (props) => (
  <>
    <label for={props.id}>{props.label}</label>
    <select
      id={props.id}
      value={props.value ?? ""}
      onChange={(e) => props.onChange(e.currentTarget.value || undefined)}
    >
      <option value="">{props.emptyLabel}</option>
      <For each={props.doctors ?? []}>
        {(d) => (
          <option value={d.id} selected={d.id === props.value}>
            {`${d.name} · ${d.specialty}`}
          </option>
        )}
      </For>
    </select>
  </>
);
