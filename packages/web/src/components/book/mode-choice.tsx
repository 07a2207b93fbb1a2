/**
 * In person or video (issue #13): a radio group of the modes the chosen slot offers (its weekly
 * rule's). With one mode offered the group still says which, so nobody books by video unawares.
 */
import { type Component, For } from "solid-js";
import type { ConsultationMode } from "../../lib/contract";
import { t } from "../../lib/i18n";

export const ModeChoice: Component<{
  offered: readonly ConsultationMode[];
  value: ConsultationMode;
  onChange: (mode: ConsultationMode) => void;
}> = (props) => (
  <fieldset class="mode-choice">
    <legend>{t("mode.choose")}</legend>
    <For each={props.offered}>
      {(mode) => (
        <label class="inline radio">
          <input
            type="radio"
            name="book-mode"
            value={mode}
            checked={props.value === mode}
            onChange={() => props.onChange(mode)}
          />
          {t(mode === "in_person" ? "mode.in_person" : "mode.video")}
        </label>
      )}
    </For>
  </fieldset>
);

/** The mode to book: the one chosen if the slot offers it, else video if offered, else what is. */
export function effectiveMode(chosen: ConsultationMode, offered: readonly ConsultationMode[]): ConsultationMode {
  if (offered.includes(chosen)) return chosen;
  return offered.includes("video") ? "video" : (offered[0] ?? "video");
}
