import type { Adapter, AdapterConstructor, AdapterPayload } from 'oidc-provider';
import type { ArtifactStore } from '../store/store.js';

/** oidc-provider's storage adapter (one instance per artifact model) over the store's artifact collection. */
export function createAdapter(store: ArtifactStore): AdapterConstructor {
  return class StoreAdapter implements Adapter {
    constructor(readonly model: string) {}

    upsert(id: string, payload: AdapterPayload, expiresIn?: number) {
      return store.upsert(this.model, id, payload as Record<string, unknown>, expiresIn);
    }

    async find(id: string) {
      return (await store.find(this.model, id)) as AdapterPayload | undefined;
    }

    async findByUid(uid: string) {
      return (await store.findByUid(this.model, uid)) as AdapterPayload | undefined;
    }

    async findByUserCode(userCode: string) {
      return (await store.findByUserCode(this.model, userCode)) as AdapterPayload | undefined;
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
