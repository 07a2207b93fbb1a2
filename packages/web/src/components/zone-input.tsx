/**
 * A searchable time-zone field: typing filters the browser's list of IANA zones (Brazil's first).
 * Says what is wrong in words ("choose a zone from the list"), never "fill in this field" for a
 * field that is filled.
 */
import { type Component, createUniqueId, For, Show } from "solid-js";
import { t } from "../lib/i18n";
import { timeZones } from "../lib/zones";

export const ZoneInput: Component<{
  id: string;
  label: string;
  value: string;
  invalid?: boolean;
  onInput: (zone: string) => void;
}> = (props) => {
  const listId = createUniqueId();
  const zones = timeZones();
  return (
    <div>
      <label for={props.id}>{props.label}</label>
      <input
        id={props.id}
        type="text"
        list={listId}
        autocomplete="off"
        spellcheck={false}
        value={props.value}
        onInput={(e) => props.onInput(e.currentTarget.value.trim())}
        aria-invalid={props.invalid ? "true" : undefined}
        aria-describedby={props.invalid ? `${props.id}-error` : `${props.id}-hint`}
      />
      <datalist id={listId}>
        <For each={zones}>{(z) => <option value={z} />}</For>
      </datalist>
      <Show
        when={props.invalid}
        fallback={
          <p id={`${props.id}-hint`} class="muted">
            {t("zone.hint")}
          </p>
        }
      >
        <p id={`${props.id}-error`} class="field-error">
          {t("validation.timezone")}
        </p>
      </Show>
    </div>
  );
};
