/*
 * tate 3-D replay viewer (served by `tate view`; plain JavaScript, no build step).
 *
 * Loads /run/replay.czml (the scene and its clock) and /run/replay.json (summary and
 * event log, written by `tate export czml`) into CesiumJS with no network access
 * beyond this server: offline Natural Earth II imagery shipped with Cesium, the WGS-84
 * ellipsoid as terrain, no Cesium ion. Entity ids carry their kind as a prefix
 * (threat/, interceptor/, track/, platform/, coverage/, event/).
 *
 * The viewer computes no physics of the run: the only number it derives is the Mach
 * number of a selected body, its speed over the speed of sound of the US Standard
 * Atmosphere 1976 at its altitude, a = sqrt(gamma R* T_M / M0) with the molecular-scale
 * temperature T_M linear in geopotential altitude over the seven layers below 86 km
 * (NOAA/NASA/USAF, "U.S. Standard Atmosphere, 1976", Table 4); none above 86 km.
 *
 * When everything is loaded, window.tateViewer = {ready: true, entities, start, stop,
 * currentTime(), speedOfSound(alt_m), tilesLoaded(), viewer} for scripts and tests.
 */
"use strict";

window.CESIUM_BASE_URL = "/cesium/";

/* ---- US Standard Atmosphere 1976 below 86 km ------------------------------------ */

const US76 = {
  R0: 6356766.0, // effective Earth radius for geopotential altitude [m]
  GAMMA: 1.4,
  R_AIR: 8314.32 / 28.9644, // gas constant of air [J/(kg K)]
  // layer base geopotential altitude [m], molecular-scale temperature [K], lapse [K/m]
  LAYERS: [
    [0.0, 288.15, -0.0065],
    [11000.0, 216.65, 0.0],
    [20000.0, 216.65, 0.001],
    [32000.0, 228.65, 0.0028],
    [47000.0, 270.65, 0.0],
    [51000.0, 270.65, -0.0028],
    [71000.0, 214.65, -0.002],
  ],
  TOP_M: 86000.0, // geometric altitude where the layered table ends [m]
  BOTTOM_M: -5000.0,
};

/** Speed of sound [m/s] at geometric altitude alt_m [m]; null outside -5 km .. 86 km. */
function speedOfSound(altM) {
  if (!Number.isFinite(altM) || altM < US76.BOTTOM_M || altM >= US76.TOP_M) {
    return null;
  }
  const h = (US76.R0 * altM) / (US76.R0 + altM); // geopotential altitude
  let layer = US76.LAYERS[0];
  for (const row of US76.LAYERS) {
    if (h >= row[0]) {
      layer = row;
    }
  }
  const tm = layer[1] + layer[2] * (h - layer[0]); // molecular-scale temperature
  return Math.sqrt(US76.GAMMA * US76.R_AIR * tm);
}

/* ---- formatting ---------------------------------------------------------------------- */

const DASH = "—";

function fmt(value, digits, unit) {
  if (value === null || value === undefined || !Number.isFinite(value)) {
    return DASH;
  }
  return value.toFixed(digits) + (unit ? " " + unit : "");
}

function el(tag, attrs, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    node.setAttribute(k, v);
  }
  if (text !== undefined) {
    node.textContent = text;
  }
  return node;
}

function kindOf(entity) {
  const id = String(entity.id);
  const cut = id.indexOf("/");
  return cut > 0 ? id.slice(0, cut) : "entity";
}

function nameOf(entity) {
  const id = String(entity.id);
  const cut = id.indexOf("/");
  return cut > 0 ? id.slice(cut + 1) : id;
}

/* ---- summary strip ----------------------------------------------------------------- */

function renderSummary(replay) {
  const s = replay.summary || {};
  const strip = document.getElementById("summary");
  strip.textContent = "";
  const item = (label, value) => {
    const span = el("span", { class: "item" });
    span.append(label + " ", el("b", {}, value));
    strip.append(span);
  };
  const pairs = (obj, keep) =>
    Object.entries(obj || {})
      .filter(([, v]) => keep(v))
      .map(([k, v]) => `${k} ${v}`)
      .join(", ") || DASH;
  item("leakers", String(s.leakers ?? DASH));
  item("killed", String(s.killed ?? DASH));
  item("kills by layer:", pairs(s.kills_by_layer, (v) => v > 0));
  item("shots", String(s.shots ?? DASH));
  item("rounds:", pairs(s.rounds_by_weapon, (v) => v > 0));
  item("cost", fmt((s.cost_usd ?? NaN) / 1e6, 1, "M USD"));
  item("railgun energy", fmt((s.railgun_energy_j ?? NaN) / 1e6, 1, "MJ"));
}

/* ---- event log --------------------------------------------------------------------- */

function renderEvents(viewer, replay, entities) {
  const list = document.getElementById("event-list");
  list.textContent = "";
  const items = [];
  for (const ev of replay.events || []) {
    const when = Cesium.JulianDate.fromIso8601(ev.time_utc);
    const li = el("li", { class: ev.event, tabindex: "0", title: ev.time_utc });
    li.append(
      el("span", { class: "t" }, fmt(ev.time_s, 1, "s")),
      el("span", { class: "what" }, ev.event),
      " ",
      el("span", {}, ev.threat_id || ""),
      ev.detail ? el("span", { class: "hint" }, " " + ev.detail) : "",
    );
    const go = () => {
      viewer.clock.shouldAnimate = false;
      viewer.clock.currentTime = when.clone();
      const target = entities.getById("threat/" + ev.threat_id);
      if (target && target.isAvailable(when)) {
        viewer.selectedEntity = target;
      }
    };
    li.addEventListener("click", go);
    li.addEventListener("keydown", (e) => e.key === "Enter" && go());
    list.append(li);
    items.push([when, li]);
  }
  let shown = -1;
  viewer.clock.onTick.addEventListener((clock) => {
    let past = 0;
    while (past < items.length &&
           Cesium.JulianDate.lessThanOrEquals(items[past][0], clock.currentTime)) {
      past += 1;
    }
    if (past !== shown) {
      items.forEach(([, li], i) => li.classList.toggle("past", i < past));
      shown = past;
    }
  });
}

/* ---- selection panel --------------------------------------------------------------- */

function outcomeOf(entity, replay, time) {
  const props = entity.properties;
  if (props && props.hasProperty("outcome")) {
    return String(props.outcome.getValue(time));
  }
  if (kindOf(entity) !== "threat") {
    return DASH;
  }
  const ends = { kill: "killed", impact: "leaked (impact)", "flying-at-limit": "flying at the limit" };
  let outcome = "flying";
  for (const ev of replay.events || []) {
    if (ev.threat_id === nameOf(entity) && ends[ev.event]) {
      outcome = ends[ev.event];
    }
  }
  return outcome;
}

function speedOf(entity, time) {
  const props = entity.properties;
  for (const key of ["speed_mps", "speed"]) {
    if (props && props.hasProperty(key)) {
      const v = Number(props[key].getValue(time));
      if (Number.isFinite(v)) {
        return v;
      }
    }
  }
  // no speed in the replay: the chord of the sampled position over one second
  if (!entity.position) {
    return null;
  }
  for (const [da, db] of [[-0.5, 0.5], [0.0, 1.0], [-1.0, 0.0]]) {
    const pa = entity.position.getValue(Cesium.JulianDate.addSeconds(time, da, new Cesium.JulianDate()));
    const pb = entity.position.getValue(Cesium.JulianDate.addSeconds(time, db, new Cesium.JulianDate()));
    if (pa && pb) {
      return Cesium.Cartesian3.distance(pa, pb) / (db - da);
    }
  }
  return null;
}

function describe(entity, replay, time) {
  const pos = entity.position ? entity.position.getValue(time) : undefined;
  const alt = pos ? Cesium.Cartographic.fromCartesian(pos).height : null;
  const moving = ["threat", "interceptor", "track"].includes(kindOf(entity));
  const speed = moving && pos ? speedOf(entity, time) : null;
  const a = alt === null ? null : speedOfSound(alt);
  const sub = entity.properties && entity.properties.hasProperty("kind")
    ? String(entity.properties.kind.getValue(time)) : "";
  return [
    ["kind", kindOf(entity) + (sub && sub !== kindOf(entity) ? ` (${sub})` : "")],
    ["id", nameOf(entity)],
    ["speed", fmt(speed, 0, "m/s")],
    ["Mach", speed !== null && a !== null ? fmt(speed / a, 2) : DASH],
    ["altitude", alt === null ? DASH : Math.abs(alt) < 10000 ? fmt(alt, 0, "m") : fmt(alt / 1000, 2, "km")],
    ["outcome", outcomeOf(entity, replay, time)],
  ];
}

function watchSelection(viewer, replay) {
  const table = document.getElementById("selected-table");
  const hint = document.querySelector("#selected .hint");
  let last = 0;
  const update = (force) => {
    const entity = viewer.selectedEntity;
    table.hidden = !entity;
    hint.hidden = Boolean(entity);
    const now = performance.now();
    if (!entity || (!force && now - last < 250)) {
      return;
    }
    last = now;
    table.textContent = "";
    for (const [k, v] of describe(entity, replay, viewer.clock.currentTime)) {
      const tr = el("tr");
      tr.append(el("th", {}, k), el("td", {}, v));
      table.append(tr);
    }
  };
  viewer.selectedEntityChanged.addEventListener(() => update(true));
  viewer.clock.onTick.addEventListener(() => update(false));
}

/* ---- layer toggles ----------------------------------------------------------------- */

function wireLayers(entities) {
  for (const box of document.querySelectorAll("#layers input[data-prefix]")) {
    const prefix = box.dataset.prefix;
    const apply = () => {
      for (const e of entities.values) {
        if (String(e.id).startsWith(prefix)) {
          e.show = box.checked;
        }
      }
    };
    box.addEventListener("change", apply);
    apply();
  }
}

/* ---- start-up ---------------------------------------------------------------------- */

function makeViewer() {
  Cesium.Ion.defaultAccessToken = "";
  const params = new URLSearchParams(window.location.search);
  const scale = Number(params.get("scale") || "1");
  const imagery = Cesium.TileMapServiceImageryProvider.fromUrl(
    Cesium.buildModuleUrl("Assets/Textures/NaturalEarthII"),
  );
  const viewer = new Cesium.Viewer("cesium", {
    baseLayer: Cesium.ImageryLayer.fromProviderAsync(imagery),
    terrainProvider: new Cesium.EllipsoidTerrainProvider(),
    baseLayerPicker: false,
    geocoder: false,
    homeButton: true,
    sceneModePicker: false,
    navigationHelpButton: false,
    fullscreenButton: false,
    infoBox: true,
    selectionIndicator: true,
    animation: true,
    timeline: true,
    skyBox: false,
    msaaSamples: 1,
  });
  if (Number.isFinite(scale) && scale > 0 && scale <= 2) {
    viewer.resolutionScale = scale;
  }
  const scene = viewer.scene;
  scene.fog.enabled = false;
  scene.globe.showGroundAtmosphere = false;
  scene.skyAtmosphere.show = false;
  scene.globe.enableLighting = false;
  return viewer;
}

async function fetchJson(url) {
  const response = await fetch(url);
  if (!response.ok) {
    throw new Error(`${url}: HTTP ${response.status}`);
  }
  return response.json();
}

function nextFrame(viewer) {
  return new Promise((resolve) => {
    const done = () => {
      viewer.scene.postRender.removeEventListener(done);
      resolve();
    };
    viewer.scene.postRender.addEventListener(done);
    viewer.scene.requestRender();
  });
}

async function start() {
  const viewer = makeViewer();
  const [replay, ds] = await Promise.all([
    fetchJson("/run/replay.json"),
    Cesium.CzmlDataSource.load("/run/replay.czml"),
  ]);
  await viewer.dataSources.add(ds);
  viewer.clockTrackedDataSource = ds;
  const clock = viewer.clock;
  viewer.timeline.zoomTo(clock.startTime, clock.stopTime);
  renderSummary(replay);
  renderEvents(viewer, replay, ds.entities);
  watchSelection(viewer, replay);
  wireLayers(ds.entities);
  // frame the bodies and platforms (radar coverage discs can be far larger)
  const bodies = ds.entities.values.filter((e) => !String(e.id).startsWith("coverage/"));
  const framed = viewer.zoomTo(bodies.length ? bodies : ds).then((ok) => ok || viewer.zoomTo(ds));
  await Promise.race([framed, new Promise((r) => setTimeout(r, 15000))]);
  await nextFrame(viewer);
  const iso = (t) => Cesium.JulianDate.toIso8601(t);
  window.tateViewer = {
    ready: true,
    entities: ds.entities.values.length,
    start: iso(clock.startTime),
    stop: iso(clock.stopTime),
    currentTime: () => iso(viewer.clock.currentTime),
    speedOfSound,
    tilesLoaded: () => viewer.scene.globe.tilesLoaded,
    viewer,
  };
}

function fail(err) {
  const box = document.getElementById("error");
  box.hidden = false;
  box.textContent = "The replay could not be shown:\n" + (err && err.message ? err.message : err);
  window.tateViewer = { ready: false, error: String(err && err.message ? err.message : err),
                        speedOfSound };
  console.error(err);
}

window.tateViewer = { ready: false, speedOfSound };
document.addEventListener("DOMContentLoaded", () => {
  if (typeof Cesium === "undefined") {
    fail(new Error("/cesium/Cesium.js did not load"));
    return;
  }
  start().catch(fail);
});
