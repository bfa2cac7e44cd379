import { randomBytes } from 'node:crypto';
import { openMongoStore } from '../../src/store/mongo/mongo-store.js';
import { storeContract } from './store-contract.js';

const uri = process.env.MONGODB_URI;
storeContract(
  'MongoDB',
  uri
    ? () => openMongoStore(uri, `jit_idp_contract_${randomBytes(6).toString('hex')}`)
    : { skip: 'skipped: MONGODB_URI not set' },
);
