/// <reference lib="dom" />
/**
 * Draws a MuJoCo body with three.js from the model's own geometry: one mesh per geom
 * (geom_type, geom_size, geom_rgba or its material's rgba), posed every frame from
 * data.geom_xpos / data.geom_xmat. The scene stays in MuJoCo's frame (z up; cameras get
 * up = +z). Capsules and cylinders lie along the geom's local z, as in MuJoCo.
 */
import * as THREE from 'three';
import type { MjData, MjModel } from '../../../envs/mujoco-loader.js';

/** mjtGeom values. */
const GEOM = { plane: 0, hfield: 1, sphere: 2, capsule: 3, ellipsoid: 4, cylinder: 5, box: 6, mesh: 7 } as const;

function geomGeometry(type: number, s: ArrayLike<number>): THREE.BufferGeometry | null {
  switch (type) {
    case GEOM.sphere:
      return new THREE.SphereGeometry(s[0], 24, 16);
    case GEOM.ellipsoid:
      return new THREE.SphereGeometry(1, 24, 16).scale(s[0], s[1], s[2]);
    case GEOM.capsule:
      return new THREE.CapsuleGeometry(s[0], 2 * s[1], 8, 16).rotateX(Math.PI / 2);
    case GEOM.cylinder:
      return new THREE.CylinderGeometry(s[0], s[0], 2 * s[1], 24).rotateX(Math.PI / 2);
    case GEOM.box:
      return new THREE.BoxGeometry(2 * s[0], 2 * s[1], 2 * s[2]);
    default:
      return null; // hfield and mesh geoms: none in the v5 models
  }
}

/** A checkerboard floor texture. */
function checker(): THREE.Texture {
  const c = document.createElement('canvas');
  c.width = c.height = 64;
  const g = c.getContext('2d')!;
  g.fillStyle = '#3a4250';
  g.fillRect(0, 0, 64, 64);
  g.fillStyle = '#4d5767';
  g.fillRect(0, 0, 32, 32);
  g.fillRect(32, 32, 32, 32);
  const t = new THREE.CanvasTexture(c);
  t.wrapS = t.wrapT = THREE.RepeatWrapping;
  t.magFilter = THREE.NearestFilter;
  return t;
}

/** The meshes of one simulated body (all geoms but planes), on one three.js layer. */
export class BodyView {
  readonly group = new THREE.Group();
  private readonly meshes: (THREE.Mesh | null)[] = [];

  constructor(model: MjModel, layer: number, tint: THREE.Color | null = null) {
    const types = model.geom_type as Int32Array;
    const sizes = model.geom_size as Float64Array;
    const rgba = model.geom_rgba as Float32Array;
    const matid = model.geom_matid as Int32Array;
    const matRgba = model.mat_rgba as Float32Array;
    for (let i = 0; i < model.ngeom; i++) {
      const geo = types[i] === GEOM.plane ? null : geomGeometry(types[i], sizes.subarray(3 * i, 3 * i + 3));
      if (geo === null) {
        this.meshes.push(null);
        continue;
      }
      const src = matid[i] >= 0 ? matRgba.subarray(4 * matid[i], 4 * matid[i] + 4) : rgba.subarray(4 * i, 4 * i + 4);
      const color = new THREE.Color(src[0], src[1], src[2]);
      if (tint !== null) color.lerp(tint, 0.45);
      const mesh = new THREE.Mesh(geo, new THREE.MeshStandardMaterial({ color, roughness: 0.55, metalness: 0.1, transparent: src[3] < 1, opacity: src[3] }));
      mesh.matrixAutoUpdate = false;
      mesh.castShadow = true;
      mesh.layers.set(layer);
      this.group.add(mesh);
      this.meshes.push(mesh);
    }
  }

  /** Pose every mesh from the data's geom_xpos / geom_xmat (row-major 3x3). */
  update(data: MjData): void {
    const p = data.geom_xpos as Float64Array;
    const r = data.geom_xmat as Float64Array;
    this.meshes.forEach((mesh, i) => {
      if (mesh === null) return;
      const a = 9 * i;
      const b = 3 * i;
      mesh.matrix.set(r[a], r[a + 1], r[a + 2], p[b], r[a + 3], r[a + 4], r[a + 5], p[b + 1], r[a + 6], r[a + 7], r[a + 8], p[b + 2], 0, 0, 0, 1);
      mesh.matrixWorldNeedsUpdate = true;
    });
  }

  dispose(): void {
    for (const m of this.meshes) {
      if (m === null) continue;
      m.geometry.dispose();
      (m.material as THREE.Material).dispose();
    }
  }
}

/** The floor(s) of the model (plane geoms; size 0 means infinite, drawn 200 m wide) on layer 0, posed once. */
export function floorOf(model: MjModel, data: MjData): THREE.Group {
  const g = new THREE.Group();
  const types = model.geom_type as Int32Array;
  const sizes = model.geom_size as Float64Array;
  const tex = checker();
  for (let i = 0; i < model.ngeom; i++) {
    if (types[i] !== GEOM.plane) continue;
    const w = sizes[3 * i] > 0 ? 2 * sizes[3 * i] : 200;
    const h = sizes[3 * i + 1] > 0 ? 2 * sizes[3 * i + 1] : 200;
    const t = tex.clone();
    t.repeat.set(w, h);
    const mesh = new THREE.Mesh(new THREE.PlaneGeometry(w, h), new THREE.MeshStandardMaterial({ map: t, roughness: 0.9 }));
    mesh.receiveShadow = true;
    const p = data.geom_xpos as Float64Array;
    const r = data.geom_xmat as Float64Array;
    mesh.matrixAutoUpdate = false;
    mesh.matrix.set(r[9 * i], r[9 * i + 1], r[9 * i + 2], p[3 * i], r[9 * i + 3], r[9 * i + 4], r[9 * i + 5], p[3 * i + 1], r[9 * i + 6], r[9 * i + 7], r[9 * i + 8], p[3 * i + 2], 0, 0, 0, 1);
    g.add(mesh);
  }
  return g;
}

/** A camera that follows a body's centre of mass (data.subtree_com of body 1) from the side and above. */
export class TrackingCamera {
  readonly camera: THREE.PerspectiveCamera;
  private readonly distance: number;

  constructor(model: MjModel, layer: number) {
    this.camera = new THREE.PerspectiveCamera(45, 1, 0.01, 500);
    this.camera.up.set(0, 0, 1);
    this.camera.layers.enable(layer);
    // Size of the body: the largest geom bounding radius plus half the number of bodies as a rough span.
    const rb = model.geom_rbound as Float64Array;
    const types = model.geom_type as Int32Array;
    let span = 0;
    for (let i = 0; i < model.ngeom; i++) if (types[i] !== GEOM.plane) span += rb[i];
    this.distance = Math.min(15, Math.max(1.5, 3.6 * span));
  }

  follow(data: MjData): void {
    const c = data.subtree_com as Float64Array;
    const target = new THREE.Vector3(c[3], c[4], c[5]);
    this.camera.position.set(target.x, target.y - this.distance, target.z + 0.55 * this.distance);
    this.camera.lookAt(target);
  }
}
