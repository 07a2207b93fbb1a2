/**
 * Search (issue #13): the staff's patient picker, a search-as-you-type combobox (WAI-ARIA 1.2
 * combobox with a listbox popup). Each keystroke waits 250 ms, then asks the server for one page of
 * matches (`GET /api/users?role=patient&q=`: admins search every patient, doctors their own);
 * answers to older keystrokes are dropped. Arrow keys move through the options, Enter chooses,
 * Escape closes (a second Escape clears); the last option loads the next page.
 */
import { type Component, createEffect, createSignal, For, onCleanup, Show } from "solid-js";
import { api } from "../../lib/api";
import type { User } from "../../lib/contract";
import { t } from "../../lib/i18n";

const DEBOUNCE_MS = 250;
const MIN_CHARS = 2;

export const PatientCombobox: Component<{
  id: string;
  onChange: (patient: User | undefined) => void;
}> = (props) => {
  const [text, setText] = createSignal("");
  const [options, setOptions] = createSignal<User[]>([]);
  const [cursor, setCursor] = createSignal<string | null>(null);
  const [open, setOpen] = createSignal(false);
  const [active, setActive] = createSignal(-1);
  const [loading, setLoading] = createSignal(false);
  const [failed, setFailed] = createSignal(false);
  const [chosen, setChosen] = createSignal<User>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let generation = 0;
  onCleanup(() => clearTimeout(timer));

  const listId = `${props.id}-list`;
  const optionId = (i: number) => `${props.id}-opt-${i}`;
  const loadMoreIndex = () => (cursor() ? options().length : -1);
  const count = () => options().length + (cursor() ? 1 : 0);
  // The list scrolls: keep the option the arrow keys reached in view.
  createEffect(() => {
    const i = active();
    if (open() && i >= 0) document.getElementById(optionId(i))?.scrollIntoView({ block: "nearest" });
  });

  const fetchPage = async (q: string, after?: string) => {
    const mine = ++generation;
    setLoading(true);
    setFailed(false);
    try {
      const page = await api.searchPatients(q, after);
      if (mine !== generation) return;
      setOptions(after ? [...options(), ...page.users] : page.users);
      setCursor(page.nextCursor);
      setOpen(true);
      if (!after) setActive(-1);
    } catch {
      if (mine === generation) setFailed(true);
    } finally {
      if (mine === generation) setLoading(false);
    }
  };

  const onInput = (value: string) => {
    setText(value);
    if (chosen()) {
      setChosen(undefined);
      props.onChange(undefined);
    }
    clearTimeout(timer);
    const q = value.trim();
    if (q.length < MIN_CHARS) {
      generation++;
      setOptions([]);
      setCursor(null);
      setOpen(false);
      setLoading(false);
      return;
    }
    timer = setTimeout(() => void fetchPage(q), DEBOUNCE_MS);
  };

  const choose = (index: number) => {
    if (index === loadMoreIndex()) {
      void fetchPage(text().trim(), cursor() ?? undefined).then(() => setActive(index));
      return;
    }
    const patient = options()[index];
    if (!patient) return;
    setChosen(patient);
    setText(patient.name);
    setOpen(false);
    setActive(-1);
    props.onChange(patient);
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === "ArrowDown") {
      e.preventDefault();
      if (!open() && options().length > 0) setOpen(true);
      if (count() > 0) setActive((active() + 1) % count());
    } else if (e.key === "ArrowUp") {
      e.preventDefault();
      if (!open() && options().length > 0) setOpen(true);
      if (count() > 0) setActive(active() <= 0 ? count() - 1 : active() - 1);
    } else if (e.key === "Enter") {
      if (open() && active() >= 0) {
        e.preventDefault();
        choose(active());
      }
    } else if (e.key === "Escape") {
      if (open()) {
        e.preventDefault();
        setOpen(false);
        setActive(-1);
      } else if (text()) {
        e.preventDefault();
        onInput("");
      }
    }
  };

  const contact = (u: User) => [u.email, u.phone].filter(Boolean).join(" · ");

  return (
    <div class="combobox">
      <label for={props.id}>{t("search.patientLabel")}</label>
      <p id={`${props.id}-hint`} class="muted">
        {t("search.patientHint")}
      </p>
      <input
        id={props.id}
        type="text"
        role="combobox"
        autocomplete="off"
        spellcheck={false}
        placeholder={t("search.patientPlaceholder")}
        aria-autocomplete="list"
        aria-expanded={open()}
        aria-controls={listId}
        aria-describedby={`${props.id}-hint`}
        aria-activedescendant={open() && active() >= 0 ? optionId(active()) : undefined}
        value={text()}
        onInput={(e) => onInput(e.currentTarget.value)}
        onKeyDown={onKeyDown}
        onBlur={() => setOpen(false)}
        onFocus={() => {
          if (!chosen() && options().length > 0) setOpen(true);
        }}
      />
      <div id={listId} role="listbox" aria-label={t("search.patientLabel")} class="combobox-list" hidden={!open()}>
        <For each={options()}>
          {(u, i) => (
            <div
              id={optionId(i())}
              role="option"
              tabIndex={-1}
              aria-selected={active() === i()}
              classList={{ active: active() === i() }}
              // mousedown, not click: the input keeps focus (no blur closes the list first)
              onMouseDown={(e) => {
                e.preventDefault();
                choose(i());
              }}
            >
              <span class="combobox-name">{u.name}</span>
              <span class="combobox-contact">{contact(u)}</span>
            </div>
          )}
        </For>
        <Show when={cursor()}>
          <div
            id={optionId(options().length)}
            role="option"
            tabIndex={-1}
            aria-selected={active() === options().length}
            classList={{ active: active() === options().length, "combobox-more": true }}
            onMouseDown={(e) => {
              e.preventDefault();
              choose(options().length);
            }}
          >
            {t("search.loadMore")}
          </div>
        </Show>
      </div>
      <p role="status" class="muted combobox-status">
        {loading()
          ? t("search.searching")
          : failed()
            ? t("error.network")
            : chosen()
              ? t("search.chosenPatient", { name: chosen()!.name })
              : open()
                ? options().length === 0
                  ? t("search.noPatients")
                  : t("search.results", { count: options().length })
                : ""}
      </p>
    </div>
  );
};
