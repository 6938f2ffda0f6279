import pickle
import json


def load(blob):
    # ruleid: py-unsafe-deserialization
    obj = pickle.loads(blob)
    # ruleid: py-unsafe-deserialization
    state = pickle.load(open("state.pkl", "rb"))
    # ok: py-unsafe-deserialization
    data = json.loads(blob)
    return obj, state, data
