import type { Adapter, AdapterConstructor, AdapterPayload } from 'oidc-provider';
import type { ArtifactStore } from '../store/store.js';

/** oidc-provider's storage adapter (one instance per artifact model) over the store's artifact collection. */
export function createAdapter(store: ArtifactStore): AdapterConstructor {
  return class StoreAdapter implements Adapter {
    constructor(readonly model: string) {}

    upsert(id: string, payload: AdapterPayload, expiresIn?: number) {
      return store.upsert(this.model, id, payload, expiresIn);
    }

    find(id: string) {
      return store.find(this.model, id);
    }

    findByUid(uid: string) {
      return store.findByUid(this.model, uid);
    }

    findByUserCode(userCode: string) {
      return store.findByUserCode(this.model, userCode);
    }

    consume(id: string) {
      return store.consume(this.model, id);
    }

    destroy(id: string) {
      return store.destroy(this.model, id);
    }

    revokeByGrantId(grantId: string) {
      return store.revokeByGrantId(grantId);
    }
  };
}
