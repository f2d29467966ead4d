"""The catalogue holds the drugs the project needs, each record complete and sourced."""

from __future__ import annotations

import pytest

from androcast.drugs import CONTINUOUS_ROUTES, DrugKind, drug_codes, get_drug
from androcast.drugs._records import ASSUMPTION, build_drug
from androcast.errors import InputFileError, RegimenError, UnknownCodeError
from androcast.evidence import bibliography, evidence_keys

REQUIRED = {
    DrugKind.testosterone: {
        "testosterone_enanthate",
        "testosterone_cypionate",
        "testosterone_undecanoate",
        "testosterone_gel",
    },
    DrugKind.aas: {
        "nandrolone_decanoate",
        "trenbolone_acetate",
        "oxandrolone",
        "stanozolol",
        "oxymetholone",
        "methandrostenolone",
        "boldenone_undecylenate",
        "drostanolone",
    },
    DrugKind.serm: {"clomiphene_citrate", "enclomiphene", "zuclomiphene", "tamoxifen", "endoxifen"},
    DrugKind.aromatase_inhibitor: {"anastrozole", "letrozole"},
    DrugKind.gonadotropin: {"hcg", "fsh"},
    DrugKind.gnrh: {"gonadorelin"},
    DrugKind.gnrh_agonist: {"triptorelin"},
    DrugKind.gnrh_antagonist: {"degarelix"},
    DrugKind.medication_class: {
        "opioid",
        "dopamine_antagonist",
        "glucocorticoid",
        "finasteride",
        "spironolactone",
        "ketoconazole",
    },
}
ALL = drug_codes()


@pytest.mark.parametrize("kind", list(REQUIRED))
def test_required_codes_are_present_with_their_kind(kind: DrugKind) -> None:
    assert REQUIRED[kind] <= set(drug_codes(kind))


def test_codes_are_sorted_and_unique() -> None:
    assert list(ALL) == sorted(set(ALL))


def _source_keys(source: str) -> list[str]:
    return [part.strip().split("[")[0] for part in source.split(";") if part.strip()]


def _resolves(key: str) -> bool:
    prefix = key.rsplit(".", 1)[0]
    return (
        key == ASSUMPTION
        or key in bibliography()
        or key in evidence_keys()
        or prefix in evidence_keys()  # an item inside a structured evidence value
    )


@pytest.mark.parametrize("code", ALL)
def test_every_source_resolves_to_evidence_or_bibliography(code: str) -> None:
    drug = get_drug(code)
    keys = list(drug.sources)
    keys += [k for p in drug.pk.values() for k in _source_keys(p.source)]
    keys += [k for r in drug.routes.values() for k in _source_keys(r.source)]
    assert [k for k in keys if not _resolves(k)] == []


@pytest.mark.parametrize("code", ALL)
def test_every_dosable_drug_has_absorption_and_elimination(code: str) -> None:
    drug = get_drug(code)
    assert drug.site_of_action
    # a mixture (clomiphene citrate) hands each part of a dose to its components' PK
    parts = [k.removeprefix("fraction_") for k in drug.pk if k.startswith("fraction_")]
    for name, route in drug.routes.items():
        assert "ke_per_d" in drug.pk or all("ke_per_d" in get_drug(p).pk for p in parts)
        assert parts or "ke_per_d" in drug.pk
        if route.zero_order:  # released at a constant rate: no depot to absorb from
            assert route.release_d > 0 and drug.ka_per_d(name) is None
        elif name not in CONTINUOUS_ROUTES and not parts:
            assert drug.ka_per_d(name) is not None and drug.ka_per_d(name) > 0
        low, high = route.dose_range
        assert 0 < low <= high


@pytest.mark.parametrize("code", ALL)
def test_parameters_are_positive_and_flagged(code: str) -> None:
    for param in get_drug(code).pk.values():
        assert param.value > 0
        assert param.flag in {"V", "V-code", "V-secondary", "D", "U", "G"}
        assert param.confidence in {"good", "moderate", "weak", "guess"}


@pytest.mark.parametrize("code", ALL)
def test_androgen_equivalence_only_for_aas_and_always_a_model_assumption(code: str) -> None:
    drug = get_drug(code)
    if drug.kind is DrugKind.aas:
        assert drug.androgen_equivalence is not None and drug.androgen_equivalence > 0
        assert drug.pk["androgen_equivalence"].flag == "G"
    else:
        assert drug.androgen_equivalence is None


def test_testosterone_esters_carry_their_testosterone_fraction() -> None:
    for code in drug_codes(DrugKind.testosterone):
        assert 0 < get_drug(code).pk["testosterone_fraction"].value <= 1


def test_medication_classes_have_no_pk_and_no_routes() -> None:
    for code in drug_codes(DrugKind.medication_class):
        drug = get_drug(code)
        assert drug.routes == {} and drug.pk == {}


def test_gonadorelin_has_pump_bolus_and_infusion_routes() -> None:
    assert set(get_drug("gonadorelin").routes) == {"sc_pump", "sc", "iv_infusion", "sc_infusion"}


def test_unknown_drug_lists_the_known_codes() -> None:
    with pytest.raises(UnknownCodeError) as err:
        get_drug("testosterone_propionate")
    assert str(err.value) == (
        "drug: 'testosterone_propionate' is not a known code; expected one of: " + ", ".join(ALL)
    )


def test_missing_route_lists_the_drugs_routes() -> None:
    with pytest.raises(RegimenError) as err:
        get_drug("hcg").route("oral")
    assert str(err.value) == (
        "hcg.route: 'oral' is not a valid regimen entry; expected one of: sc, im"
    )


def test_zuclomiphene_is_not_directly_dosable() -> None:
    with pytest.raises(RegimenError) as err:
        get_drug("zuclomiphene").route("oral")
    assert str(err.value).endswith("expected one of: none (not directly dosable)")


RECORD = {
    "code": "broken",
    "name": "Broken",
    "kind": "serm",
    "site_of_action": "nowhere",
    "sources": [],
    "routes": {
        "oral": {
            "dose_unit": "mg",
            "dose_range": [1, 2],
            "interval_range_d": [1, 1],
            "bioavailability": 1.0,
            "source": "x",
        }
    },
    "pk": {
        "ke_per_d": {"value": 1.0, "unit": "1/d", "source": "x", "flag": "G", "confidence": "guess"}
    },
}


def test_bad_route_names_file_drug_and_field() -> None:
    record = {**RECORD, "routes": {"nasal": RECORD["routes"]["oral"]}}  # type: ignore[index]
    with pytest.raises(InputFileError) as err:
        build_drug(record, filename="broken.yaml")
    assert str(err.value) == (
        "broken.yaml: broken.routes: {'nasal': {'dose_unit': 'mg', 'dose_range': [1, 2], "
        "'interval_range_d': [1, 1], 'bioavailability': 1.0, 'source': 'x'}} cannot be read; "
        "expected Value error, unknown route 'nasal'; expected one of im, sc, oral, "
        "transdermal, sc_pump, iv_infusion, sc_infusion"
    )


def test_reversed_dose_range_names_the_field() -> None:
    route = {**RECORD["routes"]["oral"], "dose_range": [5, 1]}  # type: ignore[index]
    with pytest.raises(InputFileError) as err:
        build_drug({**RECORD, "routes": {"oral": route}}, filename="broken.yaml")
    assert str(err.value).startswith("broken.yaml: broken.routes.oral.dose_range: [5, 1] cannot")


def test_gel_is_released_over_the_24_h_of_the_androgel_label() -> None:
    route = get_drug("testosterone_gel").route("transdermal")
    assert route.zero_order and route.release_d == 1.0  # androgel_label: absorbed over 24 h
    assert "androgel_label" in route.absorption_duration_d.source  # type: ignore[union-attr]
    assert route.dose_range == (25, 100)  # still mg per application, not a rate


def _with_route(**changes: object) -> dict[str, object]:
    route = {**RECORD["routes"]["oral"], **changes}  # type: ignore[index]
    return {**RECORD, "routes": {"oral": route}}


DURATION = {"value": 1.0, "unit": "d", "source": "x", "flag": "G", "confidence": "guess"}


def test_zero_order_needs_its_release_duration() -> None:
    with pytest.raises(InputFileError) as err:
        build_drug(_with_route(absorption="zero_order"), filename="broken.yaml")
    assert str(err.value) == (
        "broken.yaml: broken.routes.oral.absorption_duration_d: None cannot be read; "
        "expected a positive release duration in d for a zero_order route"
    )


def test_release_duration_without_zero_order_is_refused() -> None:
    with pytest.raises(InputFileError) as err:
        build_drug(_with_route(absorption_duration_d=DURATION), filename="broken.yaml")
    assert str(err.value) == (
        "broken.yaml: broken.routes.oral.absorption_duration_d: 1.0 cannot be read; "
        "expected no release duration unless absorption is zero_order"
    )


def test_release_duration_must_be_positive_days() -> None:
    hours = {**DURATION, "value": 24.0, "unit": "h"}
    with pytest.raises(InputFileError) as err:
        build_drug(_with_route(absorption="zero_order", absorption_duration_d=hours),
                   filename="broken.yaml")
    assert str(err.value).startswith(
        "broken.yaml: broken.routes.oral.absorption_duration_d: '24 h' cannot be read")


def test_zero_order_route_takes_no_first_order_rate() -> None:
    ka = {**DURATION, "unit": "1/d"}
    record = _with_route(absorption="zero_order", absorption_duration_d=DURATION, ka_per_d=ka)
    with pytest.raises(InputFileError) as err:
        build_drug(record, filename="broken.yaml")
    assert str(err.value).startswith("broken.yaml: broken.routes.oral.ka_per_d: 1.0 cannot")


def test_unknown_absorption_names_the_field() -> None:
    with pytest.raises(InputFileError) as err:
        build_drug(_with_route(absorption="second_order"), filename="broken.yaml")
    assert str(err.value).startswith(
        "broken.yaml: broken.routes.oral.absorption: 'second_order' cannot be read")


def test_unknown_evidence_key_names_the_parameter() -> None:
    pk = {"ke_per_d": {"from": "parameters.nowhere.halflife", "as": "rate_from_half_life"}}
    with pytest.raises(InputFileError) as err:
        build_drug({**RECORD, "pk": pk}, filename="broken.yaml")
    assert str(err.value).startswith("broken.yaml: broken.pk.ke_per_d: ")


def test_file_name_must_match_the_code() -> None:
    with pytest.raises(InputFileError) as err:
        build_drug(RECORD, filename="other.yaml")
    assert str(err.value) == (
        "other.yaml: code: 'broken' cannot be read; expected the file name without .yaml"
    )
