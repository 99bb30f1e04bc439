// Province → ward pickers over the units the service itself serves (GET /v1/units).
import { t, onChange } from "./i18n.js";

const collator = new Intl.Collator("vi");
const bare = (name) => name.replace(/^(Thành phố|Tỉnh|Phường|Xã|Đặc khu)\s+/u, "");
let units = null;

export async function loadUnits() {
  const response = await fetch("/v1/units");
  if (!response.ok) throw new Error(`units: ${response.status}`);
  const data = await response.json();
  units = data.provinces
    .map((p) => ({ ...p, wards: [...p.wards].sort((a, b) => collator.compare(bare(a[1]), bare(b[1]))) }))
    .sort((a, b) => collator.compare(bare(a.name), bare(b.name)));
  return units;
}

/** ward code → [ward name, province name], for showing a stored declaration. */
export function wardName(code) {
  for (const province of units || []) {
    const ward = province.wards.find((w) => w[0] === code);
    if (ward) return `${ward[1]}, ${province.name}`;
  }
  return code;
}

function option(value, text) {
  const el = document.createElement("option");
  el.value = value;
  el.textContent = text;
  return el;
}

function fillWards(select, province) {
  select.replaceChildren(option("", t("pickWard")),
    ...(province ? province.wards.map(([code, name]) => option(code, name)) : []));
}

/**
 * Turns <div class="place" data-place="residence.permanent"> into pickers.
 * The ward <select> gets the form name (e.g. residence.permanent.ward_code), so server
 * errors land beside it; trip places have no address and name their ward directly.
 */
export function mountPlace(container) {
  const node = document.getElementById("place-template").content.cloneNode(true);
  const prefix = container.dataset.place;
  const wardName = container.dataset.wardName || `${prefix}.ward_code`;
  const [province, ward] = node.querySelectorAll("select");
  const address = node.querySelector(".address-input");
  node.querySelector(".place-title").dataset.i18n = container.dataset.label;
  ward.name = wardName;
  if (container.dataset.wardName) node.querySelector(".address").remove();
  else address.name = `${prefix}.address`;
  const fillProvinces = () => {
    const chosen = province.value;
    province.replaceChildren(option("", t("pickProvince")),
      ...units.map((p) => option(String(p.code), p.name)));
    province.value = chosen;
  };
  fillProvinces();
  fillWards(ward, null);
  province.addEventListener("change", () => {
    fillWards(ward, units.find((p) => String(p.code) === province.value));
  });
  onChange(() => { fillProvinces(); ward.options[0].textContent = t("pickWard"); });
  const error = document.createElement("p");
  error.className = "error";
  error.dataset.errorFor = wardName;
  container.append(node, error);
  return { province, ward, address };
}

/** Copies one picker's choice into another (e.g. current place = permanent residence). */
export function samePlace(from, to) {
  to.province.value = from.province.value;
  to.province.dispatchEvent(new Event("change"));
  to.ward.value = from.ward.value;
  if (to.address && from.address) to.address.value = from.address.value;
}
