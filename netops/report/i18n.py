"""The one message table of the reports: every heading and label in Bahasa Indonesia and English.

Indonesian is the default (planners at Diskominfo and Bappeda read it); numbers follow the
language too (1.234,5 in Indonesian, 1,234.5 in English) in HTML, Markdown and PDF, while CSV
and GeoJSON keep plain machine numbers.
"""

from __future__ import annotations

from typing import Any

from netops.report.prom import ReportError

LANGS = ("id", "en")

# key: (Bahasa Indonesia, English)
MESSAGES: dict[str, tuple[str, str]] = {
    "title.coverage": ("Laporan Cakupan Jaringan Intranet {regency}", "Intranet Coverage Report, {regency}"),
    "title.uptime": ("Laporan Ketersediaan dan SLA Jaringan {regency}", "Availability and SLA Report, {regency}"),
    "title.plan": ("Rencana Perluasan Fiber Optik {regency}", "Fiber Expansion Plan, {regency}"),
    "h.coverage": ("Cakupan desa/kelurahan", "Desa/kelurahan coverage"),
    "h.uptime": ("Ketersediaan dan SLA", "Availability and SLA"),
    "h.plan": ("Calon desa/kelurahan untuk fiber optik", "Fiber candidates"),
    "h.planned": ("Tautan yang direncanakan", "Planned links"),
    "h.prometheus_down": ("Data pemantauan tidak tersedia", "Monitoring data unavailable"),
    "meta.regency": ("Kabupaten", "Regency"),
    "meta.inventory": ("Inventaris", "Inventory"),
    "meta.generated": ("Dibuat", "Generated"),
    "meta.filter": ("Saringan", "Filter"),
    "meta.none": ("(semua)", "(all)"),
    "meta.period": ("Periode", "Period"),
    "meta.prometheus": ("Prometheus", "Prometheus"),
    "meta.not_used": ("tidak dipakai (tanpa --prometheus)", "not used (no --prometheus)"),
    "meta.unreachable": ("TIDAK TERJANGKAU", "UNREACHABLE"),
    "alert.prometheus_down": (
        "Prometheus di {url} tidak dapat dihubungi atau menolak kueri ({error}). Bagian ketersediaan, SLA dan "
        "kinerja VSAT TIDAK ADA dalam laporan ini; bagian cakupan dari inventaris tetap lengkap. "
        "Periksa --prometheus dan layanan Prometheus, lalu jalankan lagi (kode keluar 3).",
        "Prometheus at {url} could not be reached or refused a query ({error}). The availability, SLA and "
        "VSAT performance parts are MISSING from this report; the coverage part from the inventory is complete. "
        "Check --prometheus and the Prometheus service, then run again (exit code 3).",
    ),
    "tier.datacenter": ("Pusat data", "Data center"),
    "tier.opd": ("OPD", "OPD"),
    "tier.kecamatan": ("Kecamatan", "Kecamatan"),
    "tier.kelurahan": ("Kelurahan", "Kelurahan"),
    "tier.desa": ("Desa", "Desa"),
    "tier.institution": ("Instansi publik", "Public institution"),
    "c.tier": ("Jenis", "Tier"),
    "c.desa_only": ("Desa", "Desa"),
    "c.kelurahan": ("Kelurahan", "Kelurahan"),
    "n.villages": (
        "Desa dan kelurahan dihitung terpisah lalu bersama (desa/kelurahan). Jenisnya diambil dari tier di "
        "inventaris; kode Kemendagri memastikannya: pada bagian akhir 4 digit, angka pertama 1 = kelurahan, "
        "2 = desa (Permendagri 58/2021). Instansi publik (sekolah, puskesmas) tidak dihitung sebagai desa/kelurahan.",
        "Desa and kelurahan are counted apart, then together (desa/kelurahan). Which one a site is comes from "
        "its tier in the inventory, checked against its Kemendagri code: in the 4-digit last part, a first digit "
        "1 is a kelurahan, 2 a desa (Permendagri 58/2021). Public institutions (schools, puskesmas) are not "
        "counted as desa/kelurahan.",
    ),
    "alert.prometheus_down_capacity": (
        "Prometheus di {url} tidak dapat dihubungi atau menolak kueri ({error}). Angka kapasitas TIDAK ADA dalam "
        "laporan ini. Periksa --prometheus dan layanan Prometheus, lalu jalankan lagi (kode keluar 3).",
        "Prometheus at {url} could not be reached or refused a query ({error}). The capacity figures are MISSING "
        "from this report. Check --prometheus and the Prometheus service, then run again (exit code 3).",
    ),
    "state.fiber": ("Fiber", "Fiber"),
    "state.vsat": ("VSAT", "VSAT"),
    "state.other": ("Lainnya (radio/LTE)", "Other (radio/LTE)"),
    "state.down": ("Terhubung, putus", "Connected, down"),
    "state.planned": ("Direncanakan", "Planned"),
    "state.none": ("Belum terhubung", "Not connected"),
    "status.active": ("aktif", "active"),
    "status.planned": ("direncanakan", "planned"),
    "status.down": ("putus", "down"),
    "status.decommissioned": ("dihentikan", "decommissioned"),
    "medium.fiber": ("Fiber optik", "Fiber"),
    "medium.vsat": ("VSAT", "VSAT"),
    "medium.radio": ("Radio", "Radio"),
    "medium.lte": ("LTE", "LTE"),
    "medium.none": ("Tanpa tautan", "No link"),
    "mapstatus.active": ("aktif", "active"),
    "mapstatus.down": ("putus", "down"),
    "mapstatus.planned": ("direncanakan", "planned"),
    "mapstatus.none": ("belum terhubung", "not connected"),
    "mapstatus.hub": ("pusat data", "data center"),
    "t.coverage_kecamatan": ("Cakupan desa/kelurahan per kecamatan", "Desa/kelurahan coverage by kecamatan"),
    "t.coverage_providers": ("Tautan per penyedia", "Links by provider"),
    "t.unconnected_desa": ("Desa/kelurahan yang belum terhubung", "Desa/kelurahan not connected"),
    "t.desa": ("Rincian setiap desa/kelurahan", "Every desa/kelurahan in detail"),
    "t.uptime_worst": ("10 tautan terburuk", "Worst 10 links"),
    "t.uptime_breaches": ("Pelanggaran SLA", "SLA breaches"),
    "t.uptime_providers": ("Ketersediaan per penyedia", "Availability by provider"),
    "t.uptime_trend": ("Ketersediaan per penyedia, per {step}", "Availability by provider, per {step}"),
    "c.step_end": ("Akhir selang (UTC)", "Step ending (UTC)"),
    "src.trend": (
        "Sumber: Prometheus /api/v1/query_range; tiap titik = Σ sampel naik / Σ sampel tautan penyedia dalam "
        "selang yang berakhir pada waktu itu.",
        "Source: Prometheus /api/v1/query_range; each point = Σ up samples / Σ samples of the provider's links "
        "in the step ending at that time.",
    ),
    "e.no_trend": ("Tidak ada deret waktu (tanpa data, atau saringan memilih lebih dari 2000 tautan).",
                   "No time series (no data, or the filter chose more than 2000 links)."),
    "t.uptime_kecamatan": ("Ketersediaan per kecamatan", "Availability by kecamatan"),
    "t.uptime_vsat": ("Kinerja VSAT: RTT dan kehilangan paket", "VSAT performance: RTT and packet loss"),
    "t.uptime_sites": ("Ketersediaan per lokasi", "Availability by site"),
    "t.uptime_links": ("Ketersediaan setiap tautan", "Availability of every link"),
    "t.plan_candidates": ("Peringkat calon fiber (jarak ke titik fiber terdekat)",
                          "Fiber candidates ranked by distance to the nearest fiber point"),
    "t.plan_planned": ("Tautan direncanakan dan dampaknya", "Planned links and what they change"),
    "t.plan_coverage_change": ("Cakupan sekarang dan setelah tautan direncanakan aktif",
                               "Coverage now and once the planned links are active"),
    "c.kecamatan": ("Kecamatan", "Kecamatan"),
    "c.desa_total": ("Desa/kelurahan", "Desa/kelurahan"),
    "c.covered": ("Tercakup", "Covered"),
    "c.covered_pct": ("% tercakup", "% covered"),
    "c.online_pct": ("% daring", "% online"),
    "c.bandwidth_mbps": ("Bandwidth (Mbps)", "Bandwidth (Mbps)"),
    "c.bandwidth_active": ("Bandwidth aktif (Mbps)", "Active bandwidth (Mbps)"),
    "c.total_regency": ("Total {name}", "Total {name}"),
    "c.provider": ("Penyedia", "Provider"),
    "c.media": ("Media", "Media"),
    "c.links_active": ("Tautan aktif", "Links active"),
    "c.links_planned": ("Direncanakan", "Planned"),
    "c.links_down": ("Putus", "Down"),
    "c.links_decommissioned": ("Dihentikan", "Decommissioned"),
    "c.sites_served": ("Lokasi dilayani", "Sites served"),
    "c.desa_served": ("Desa/kelurahan dilayani", "Desa/kelurahan served"),
    "c.code": ("Kode Kemendagri", "Kemendagri code"),
    "c.site": ("Lokasi", "Site"),
    "c.name": ("Nama", "Name"),
    "c.state": ("Keadaan", "State"),
    "c.planned_links": ("Tautan direncanakan", "Planned links"),
    "c.source": ("Sumber (berkas:baris)", "Source (file:line)"),
    "c.link": ("Tautan", "Link"),
    "c.link_status": ("Status tautan", "Link status"),
    "c.since": ("Sejak", "Since"),
    "c.medium": ("Media", "Medium"),
    "c.sla_target": ("Target SLA (%)", "SLA target (%)"),
    "c.availability": ("Ketersediaan (%)", "Availability (%)"),
    "c.breach": ("Melanggar SLA", "SLA breached"),
    "c.downtime_min": ("Waktu putus (menit)", "Downtime (minutes)"),
    "c.samples": ("Sampel", "Samples"),
    "c.completeness": ("Kelengkapan data (%)", "Data completeness (%)"),
    "c.worst_case": ("Terburuk, data hilang = putus (%)", "Worst case, missing = down (%)"),
    "c.unmeasured_min": ("Tanpa data (menit)", "Unmeasured (minutes)"),
    "c.links": ("Tautan", "Links"),
    "c.with_data": ("Dengan data", "With data"),
    "c.breaches": ("Pelanggaran SLA", "SLA breaches"),
    "c.rtt_p50": ("RTT median (ms)", "RTT median (ms)"),
    "c.rtt_p95": ("RTT p95 (ms)", "RTT p95 (ms)"),
    "c.loss_avg": ("Kehilangan paket rata-rata (%)", "Mean packet loss (%)"),
    "c.loss_p95": ("Kehilangan paket p95 (%)", "Packet loss p95 (%)"),
    "c.rank": ("Peringkat", "Rank"),
    "c.nearest_fiber": ("Titik fiber terdekat", "Nearest fiber point"),
    "c.distance_km": ("Jarak (km)", "Distance (km)"),
    "c.planned_fiber": ("Fiber direncanakan", "Fiber planned"),
    "c.state_now": ("Keadaan sekarang", "State now"),
    "c.state_after": ("Keadaan setelahnya", "State after"),
    "c.fiber_now": ("Fiber sekarang", "Fiber now"),
    "c.fiber_after": ("Fiber setelahnya", "Fiber after"),
    "c.online_now": ("Daring sekarang", "Online now"),
    "c.online_after": ("Daring setelahnya", "Online after"),
    "c.online_pct_now": ("% daring sekarang", "% online now"),
    "c.online_pct_after": ("% daring setelahnya", "% online after"),
    "c.covered_pct_now": ("% tercakup sekarang", "% covered now"),
    "c.covered_pct_after": ("% tercakup setelahnya", "% covered after"),
    "u.desa": ("desa/kelurahan", "desa/kelurahan"),
    "src.inventory_desa": (
        "Sumber: inventaris (sites dan links); setiap desa beserta berkas:baris ada di tabel rincian desa "
        "dan di CSV.",
        "Source: the inventory (sites and links); every desa with its file:line is in the desa detail table "
        "and the CSV.",
    ),
    "src.inventory_links": ("Sumber: inventaris, bagian links (berkas:baris di tiap baris).",
                            "Source: the inventory's links (file:line on each row)."),
    "src.prometheus": ("Sumber: Prometheus, kueri PromQL di bawah (dievaluasi pada akhir periode).",
                       "Source: Prometheus, the PromQL below (evaluated at the end of the period)."),
    "src.derived_links": (
        "Dihitung dari baris tautan (Σ sampel naik / Σ sampel), sama dengan kueri terakhir di bawah bila "
        "tanpa saringan dan Prometheus tidak punya deret untuk tautan di luar inventaris.",
        "Computed from the link rows (Σ up samples / Σ samples); equal to the last query below when no "
        "filter is given and Prometheus has no series for links outside the inventory.",
    ),
    "src.plan_distance": (
        "Sumber: koordinat inventaris; jarak lingkaran besar (haversine, R = 6371,0088 km) ke titik fiber "
        "terdekat. Kinerja VSAT dari kueri di bagian ketersediaan.",
        "Source: inventory coordinates; great-circle distance (haversine, R = 6371.0088 km) to the nearest "
        "fiber point. VSAT performance from the queries in the availability part.",
    ),
    "src.plan_after": ("Sumber: inventaris, dihitung ulang dengan semua tautan direncanakan dianggap aktif.",
                       "Source: the inventory, recounted with every planned link taken as active."),
    "e.all_connected": ("Semua desa/kelurahan sudah terhubung.", "Every desa/kelurahan is connected."),
    "e.no_data": ("Tidak ada data di Prometheus untuk periode ini.", "No data in Prometheus for this period."),
    "e.no_breaches": ("Tidak ada pelanggaran SLA.", "No SLA breaches."),
    "e.no_vsat": ("Tidak ada tautan VSAT.", "No VSAT links."),
    "e.no_coordinates": ("tanpa koordinat", "no coordinates"),
    "e.no_candidates": ("Tidak ada desa/kelurahan VSAT atau belum terhubung.", "No VSAT or unconnected desa/kelurahan."),
    "e.no_planned": ("Tidak ada tautan direncanakan.", "No planned links."),
    "s.coverage_summary": (
        "{covered} dari {villages} desa/kelurahan ({desa} desa, {kelurahan} kelurahan) tercakup ({pct} %), "
        "{online} daring ({online_pct} %): {fiber} lewat fiber, {vsat} lewat VSAT, {other} lewat radio/LTE, "
        "{down} terhubung tetapi putus; {none} desa/kelurahan belum terhubung.",
        "{covered} of {villages} desa/kelurahan ({desa} desa, {kelurahan} kelurahan) covered ({pct} %), "
        "{online} online ({online_pct} %): {fiber} by fiber, {vsat} by VSAT, {other} by radio/LTE, "
        "{down} connected but down; {none} desa/kelurahan not connected.",
    ),
    "d.states": (
        "Definisi: keadaan desa ditentukan oleh tautan naiknya (link dengan ujung b = desa). Fiber/VSAT/Lainnya: "
        "ada tautan berstatus active (media terbaik: fiber, lalu radio/LTE, lalu VSAT). Terhubung, putus: tidak "
        "ada yang aktif tetapi ada yang berstatus down; dihitung tercakup (infrastruktur ada) tetapi tidak daring. "
        "Direncanakan: hanya tautan planned. Belum terhubung: tanpa tautan (atau hanya yang dihentikan). "
        "Tercakup = fiber + VSAT + lainnya + putus; daring = fiber + VSAT + lainnya. Bandwidth = jumlah "
        "bandwidth_mbps tautan aktif yang menentukan keadaan. Status diambil dari inventaris, bukan dari pemantauan.",
        "Definitions: a desa's state comes from its uplinks (links whose b end is the desa). Fiber/VSAT/Other: "
        "it has an active link (best medium: fiber, then radio/LTE, then VSAT). Connected, down: none active but "
        "one marked down; counted as covered (the infrastructure exists) but not online. Planned: only planned "
        "links. Not connected: no link (or only decommissioned ones). Covered = fiber + VSAT + other + down; "
        "online = fiber + VSAT + other. Bandwidth = sum of bandwidth_mbps of the deciding active links. States "
        "come from the inventory, not from monitoring.",
    ),
    "s.uptime_summary": (
        "{links} tautan (aktif atau putus di inventaris), {with_data} dengan data; {breaches} melanggar SLA. "
        "Periode {period}: {start} sampai {end}.",
        "{links} links (active or down in the inventory), {with_data} with data; {breaches} breached their SLA. "
        "Period {period}: {start} to {end}.",
    ),
    "d.uptime": (
        "Rumus: ketersediaan A = avg_over_time(netops_link_up[P]) = bagian sampel bernilai 1. Sampel yang hilang "
        "tidak dihitung; jumlah sampel n = count_over_time(netops_link_up[P]) dilaporkan sebagai kelengkapan "
        "n/(P/I), dan kolom 'terburuk' menganggap setiap sampel hilang sebagai putus. Waktu putus = "
        "round(n·(1−A))·I/60 menit. Pelanggaran: A < target SLA inventaris. Interval pengambilan I = {interval} "
        "detik ({interval_source}).",
        "Formulas: availability A = avg_over_time(netops_link_up[P]) = share of samples equal to 1. Missing "
        "samples count neither way; the sample count n = count_over_time(netops_link_up[P]) is shown as "
        "completeness n/(P/I), and the 'worst case' column counts every missing sample as down. Downtime = "
        "round(n·(1−A))·I/60 minutes. Breach: A < the inventory SLA target. Scrape interval I = {interval} s "
        "({interval_source}).",
    ),
    "s.ignored_series": ("{n} deret untuk tautan di luar pilihan inventaris diabaikan.",
                         "{n} series for links outside the inventory selection were ignored."),
    "s.duplicate_series": ("{n} deret ganda untuk tautan yang sama; yang bersampel terbanyak dipakai.",
                           "{n} duplicate series for the same link; the one with most samples was used."),
    "s.plan_summary": (
        "{n} desa/kelurahan calon (VSAT, putus lewat VSAT, direncanakan atau belum terhubung), {ranked} berkoordinat; "
        "{points} titik fiber. {within5} calon dalam 5 km dan {within10} dalam 10 km dari fiber.",
        "{n} candidate desa/kelurahan (VSAT, down on VSAT, planned or not connected), {ranked} with coordinates; "
        "{points} fiber points. {within5} candidates within 5 km and {within10} within 10 km of fiber.",
    ),
    "d.plan": (
        "Titik fiber = pusat data dan setiap lokasi dengan tautan fiber aktif atau putus (kabelnya ada). Jarak "
        "adalah garis lurus di permukaan bumi, bukan jalur kabel: jalur sebenarnya lebih panjang. Urutan: jarak "
        "terpendek dulu. Desa tanpa koordinat ditaruh di akhir tanpa peringkat.",
        "Fiber point = the data center and every site with an active or down fiber link (the cable exists). "
        "Distance is a straight line over the earth's surface, not the cable route, which is longer. Order: "
        "shortest first. Desa without coordinates come last, unranked.",
    ),
    "d.planned": (
        "Setiap tautan berstatus planned, keadaan lokasinya sekarang dan setelah tautan itu aktif.",
        "Every planned link, the state of its site now and once it is active.",
    ),
    "h.growth": ("Rencana pertumbuhan fiber (pohon dari jaringan fiber sekarang)",
                 "Fiber growth plan (a tree grown from today's fiber network)"),
    "t.growth_stages": ("Tahapan anggaran: yang dibeli tiap tahap dan cakupan sesudahnya",
                        "Budget stages: what each stage buys and coverage after it"),
    "t.growth_compare": ("Pohon pertumbuhan dibanding fiber terdekat saja (desa yang sama)",
                         "Growth tree against nearest fiber only (the same desa)"),
    "t.growth_steps": ("Langkah pembangunan, urut: tiap desa disambung ke titik tersambung terdekat",
                       "Build steps in order: each desa joined to the nearest point already connected"),
    "c.step": ("Langkah", "Step"),
    "c.stage": ("Tahap", "Stage"),
    "c.attach_to": ("Disambung ke", "Joined to"),
    "c.km": ("Jarak lurus (km)", "Straight distance (km)"),
    "c.route_km": ("Panjang kabel (km)", "Cable route (km)"),
    "c.factor": ("Faktor medan", "Terrain factor"),
    "c.cost_rp": ("Biaya (Rp)", "Cost (Rp)"),
    "c.cumulative_rp": ("Kumulatif (Rp)", "Cumulative (Rp)"),
    "c.nearest_km": ("Jarak ke fiber terdekat (km)", "To nearest fiber (km)"),
    "c.nearest_cost_rp": ("Biaya lewat fiber terdekat (Rp)", "Cost via nearest fiber (Rp)"),
    "c.sites_bought": ("Desa dibangun", "Desa built"),
    "c.fiber_desa": ("Desa ber-fiber", "Desa on fiber"),
    "c.fiber_pct": ("% desa ber-fiber", "% desa on fiber"),
    "c.covered_desa": ("Desa tercakup", "Desa covered"),
    "c.method": ("Cara", "Method"),
    "c.sites": ("Desa", "Desa"),
    "c.priority": ("Prioritas (VSAT jenuh)", "Priority (VSAT saturated)"),
    "l.stage_now": ("sekarang", "now"),
    "l.beyond_budget": ("di luar anggaran", "beyond the budget"),
    "l.method_growth": ("Pohon pertumbuhan", "Growth tree"),
    "l.method_nearest": ("Fiber terdekat saja", "Nearest fiber only"),
    "l.method_saving": ("Selisih (hemat)", "Difference (saving)"),
    "s.growth_summary": (
        "{steps} desa calon dalam pohon dari {points} titik fiber: seluruhnya Rp {total} untuk {km} km kabel, "
        "dibanding Rp {nearest} ({nearest_km} km) bila tiap desa disambung langsung ke fiber terdekat "
        "(hemat {saving_pct} %).",
        "{steps} candidate desa in the tree from {points} fiber points: Rp {total} in all for {km} km of cable, "
        "against Rp {nearest} ({nearest_km} km) when each desa is joined straight to its nearest fiber point "
        "(a saving of {saving_pct} %).",
    ),
    "s.growth_budget": (
        "Anggaran Rp {budget} per tahap, {stages} tahap: {bought} desa dibangun seharga Rp {spent}; desa ber-fiber "
        "dari {fiber_now} ({fiber_pct_now} %) menjadi {fiber_after} ({fiber_pct_after} %). Sisa anggaran suatu "
        "tahap tidak dibawa ke tahap berikutnya.",
        "Budget Rp {budget} a stage, {stages} stages: {bought} desa built for Rp {spent}; desa on fiber from "
        "{fiber_now} ({fiber_pct_now} %) to {fiber_after} ({fiber_pct_after} %). Money left in a stage does not "
        "carry over to the next.",
    ),
    "s.growth_costs": (
        "Biaya dari pengaturan kabupaten di inventaris (regency.plan_costs): Rp {cable} per km kabel; panjang "
        "kabel = jarak lingkaran besar × faktor rute {route}; Rp {site} per desa; faktor medan per kecamatan: "
        "{terrain} (sebuah ruas memakai rata-rata faktor kedua ujungnya).",
        "Costs from the inventory's regency settings (regency.plan_costs): Rp {cable} per km of cable; cable "
        "length = great-circle distance × route factor {route}; Rp {site} per desa; terrain factors by "
        "kecamatan: {terrain} (an edge takes the mean factor of its two ends).",
    ),
    "s.growth_priority": (
        "{n} langkah didahulukan: desa VSAT yang jenuh (p95 ≥ 90 % bandwidth komitmen) dan jalur fiber menuju "
        "mereka.",
        "{n} steps go first: saturated VSAT desa (p95 ≥ 90 % of committed bandwidth) and the fiber path to them.",
    ),
    "s.growth_approx": ("{n} desa tanpa koordinat masuk rencana di titik tengah poligon desanya (perkiraan).",
                        "{n} desa without coordinates are in the plan at their desa polygon's centroid (approximate)."),
    "c.approximate": ("Lokasi perkiraan", "Approximate place"),
    "s.growth_unplaced": ("{n} desa calon tanpa koordinat tidak masuk pohon.",
                          "{n} candidate desa without coordinates are not in the tree."),
    "s.growth_empty.no_fiber": (
        "Rencana pertumbuhan kosong: inventaris tidak punya titik fiber (pusat data atau lokasi dengan tautan fiber "
        "aktif/putus dan berkoordinat) untuk ditumbuhkan.",
        "The growth plan is empty: the inventory has no fiber point (a data center or a site with an active or "
        "down fiber link, with coordinates) to grow from.",
    ),
    "s.growth_empty.no_candidates": ("Rencana pertumbuhan kosong: tidak ada desa calon.",
                                     "The growth plan is empty: there is no candidate desa."),
    "s.growth_empty.no_coordinates": ("Rencana pertumbuhan kosong: tidak ada desa calon yang berkoordinat.",
                                      "The growth plan is empty: no candidate desa has coordinates."),
    "s.growth_empty.budget_too_small": (
        "Langkah berikutnya ({site}) berbiaya Rp {cost}, lebih dari anggaran satu tahap (Rp {budget}); langkah "
        "itu dan sesudahnya tidak terbeli.",
        "The next step ({site}) costs Rp {cost}, more than one stage's budget (Rp {budget}); it and every later "
        "step are not bought.",
    ),
    "d.growth": (
        "Cara: pohon rentang minimum (algoritma Prim) yang tumbuh dari semua titik fiber sekaligus; tiap langkah "
        "menyambung desa calon yang paling murah dicapai dari titik yang sudah tersambung, baik yang ada maupun "
        "yang dibangun di langkah sebelumnya. Urutan langkah adalah urutan membangun: suatu anggaran membeli "
        "langkah-langkah awal sampai langkah berikutnya tidak muat lagi, sehingga jaringan tetap tersambung "
        "setelah tiap tahap. Calon: desa VSAT, putus lewat VSAT, direncanakan, atau belum terhubung.",
        "Method: a minimum spanning tree (Prim's algorithm) grown from every fiber point at once; each step joins "
        "the candidate desa that is cheapest to reach from a point already connected, existing or built in an "
        "earlier step. The order of the steps is the order of building: a budget buys the first steps until the "
        "next one no longer fits, so the network stays connected after every stage. Candidates: VSAT desa, down "
        "on VSAT, planned, or not connected.",
    ),
    "title.capacity": ("Laporan Kapasitas Tautan {regency}", "Link Capacity Report, {regency}"),
    "h.capacity": ("Kapasitas tautan (persentil ke-95)", "Link capacity (95th percentile)"),
    "t.capacity_upgrades": ("Calon peningkatan bandwidth: p95 di atas 80 %",
                            "Upgrade candidates: p95 above 80 %"),
    "t.capacity_vsat": ("Desa VSAT yang jenuh (p95 ≥ 90 % bandwidth komitmen): didahulukan dalam rencana fiber",
                        "Saturated VSAT desa (p95 ≥ 90 % of committed): first in the fiber plan"),
    "t.capacity_links": ("Kapasitas setiap tautan", "Capacity of every link"),
    "c.committed_mbps": ("Komitmen (Mbps)", "Committed (Mbps)"),
    "c.in_p95_mbps": ("Masuk p95 (Mbps)", "In p95 (Mbps)"),
    "c.out_p95_mbps": ("Keluar p95 (Mbps)", "Out p95 (Mbps)"),
    "c.in_p95_pct": ("Masuk p95 (%)", "In p95 (%)"),
    "c.out_p95_pct": ("Keluar p95 (%)", "Out p95 (%)"),
    "c.in_peak_mbps": ("Masuk puncak (Mbps)", "In peak (Mbps)"),
    "c.out_peak_mbps": ("Keluar puncak (Mbps)", "Out peak (Mbps)"),
    "c.p95_pct": ("p95 arah tersibuk (%)", "p95, busier direction (%)"),
    "c.peak_pct": ("Puncak (%)", "Peak (%)"),
    "c.upgrade": ("Perlu ditingkatkan", "Upgrade"),
    "c.saturated": ("VSAT jenuh", "VSAT saturated"),
    "e.no_upgrades": ("Tidak ada tautan di atas 80 % pada p95.", "No link above 80 % at p95."),
    "e.no_saturated": ("Tidak ada desa VSAT yang jenuh.", "No saturated VSAT desa."),
    "s.capacity_summary": (
        "{links} tautan, {with_data} dengan data lalu lintas; {upgrades} di atas 80 % pada p95 (calon peningkatan); "
        "{saturated} desa VSAT jenuh. Periode {period}: {start} sampai {end}.",
        "{links} links, {with_data} with traffic data; {upgrades} above 80 % at p95 (upgrade candidates); "
        "{saturated} VSAT desa saturated. Period {period}: {start} to {end}.",
    ),
    "d.capacity": (
        "Rumus: lalu lintas 5 menit = avg_over_time(netops_link_in_bps[5m]) (dan out), diambil tiap 5 menit "
        "sepanjang periode (subkueri [P:5m]); p95 = quantile_over_time(0.95, …) dengan interpolasi antar "
        "peringkat; puncak = max_over_time dari nilai 5 menit yang sama. Utilisasi = lalu lintas / bandwidth "
        "komitmen di inventaris. Calon peningkatan: p95 arah tersibuk > 80 %. VSAT jenuh: p95 ≥ 90 %.",
        "Formulas: 5-minute traffic = avg_over_time(netops_link_in_bps[5m]) (and out), taken every 5 minutes "
        "over the period (a [P:5m] subquery); p95 = quantile_over_time(0.95, …), interpolating between ranks; "
        "peak = max_over_time of the same 5-minute values. Utilisation = traffic / the inventory's committed "
        "bandwidth. Upgrade candidate: the busier direction's p95 > 80 %. VSAT saturated: p95 ≥ 90 %.",
    ),
    "mapstatus.route": ("rute fiber rencana", "planned fiber route"),
    "mapstatus.route_later": ("rute di luar anggaran", "route beyond the budget"),
    "l.map": ("Peta lokasi (warna = media, bentuk tepi = status)", "Site map (colour = medium, outline = status)"),
    "l.queries": ("Kueri PromQL yang dipakai", "PromQL queries used"),
    "l.query_purpose": ("Untuk", "For"),
    "l.query_expr": ("Kueri", "Query"),
    "l.query_time": ("Waktu evaluasi", "Evaluation time"),
    "l.source": ("Sumber", "Source"),
    "l.total": ("Total", "Total"),
    "l.generated_by": ("Dibuat oleh netops dari berkas inventaris; jangan diedit, buat ulang dengan perintah.",
                       "Generated by netops from the inventory files; do not edit, run the command again."),
    "l.contents": ("Isi", "Contents"),
    "l.no_coordinates_map": ("Lokasi tanpa koordinat, tidak tergambar di peta: {n}.",
                             "Sites without coordinates, not drawn on the map: {n}."),
    "l.yes": ("ya", "yes"),
    "l.none": ("tidak ada", "none"),
    "l.approx": ("lokasi perkiraan (titik tengah poligon desa)", "approximate place (desa polygon centroid)"),
    "l.boundary_kabupaten": ("batas kabupaten", "regency boundary"),
    "l.boundary_kecamatan": ("batas kecamatan", "kecamatan boundary"),
    "l.boundary_desa": ("batas desa", "desa boundary"),
    "l.boundaries_source": ("Batas wilayah: {file}.", "Boundaries: {file}."),
    "l.approx_placed": ("{n} lokasi tanpa koordinat digambar di titik tengah poligon desanya (perkiraan).",
                        "{n} sites without coordinates drawn at their desa polygon's centroid (approximate)."),
    "l.outside_boundaries": ("{n} lokasi berada di luar batas wilayah: periksa koordinatnya atau berkas batasnya.",
                             "{n} sites lie outside the boundaries: check their coordinates or the boundaries file."),
    "meta.boundaries": ("Batas wilayah", "Boundaries"),
    "l.no": ("tidak", "no"),
    # alert history (netops report alerts)
    "title.alerts": ("Riwayat Gangguan Jaringan {regency}", "Network Incident History, {regency}"),
    "h.alerts": ("Gangguan (akar masalah)", "Incidents (root causes)"),
    "s.alerts_summary": ("{n} gangguan dalam {period} ({ongoing} masih berlangsung); rata-rata waktu pemulihan "
                         "{mttr} menit. Gangguan turunan (di belakang tautan yang putus) tidak dihitung.",
                         "{n} incidents in {period} ({ongoing} still ongoing); mean time to recover {mttr} min. "
                         "Consequences (behind a link that was down) are not counted."),
    "t.alerts_kecamatan": ("Gangguan per kecamatan", "Incidents by kecamatan"),
    "t.alerts_providers": ("Gangguan per penyedia", "Incidents by provider"),
    "t.alerts_worst_sites": ("Lokasi dengan gangguan terlama", "Sites with the longest outages"),
    "t.alerts_incidents": ("Daftar gangguan", "Incident list"),
    "c.incidents": ("Gangguan", "Incidents"),
    "c.ongoing": ("masih berlangsung", "ongoing"),
    "c.mttr_min": ("Rata-rata pemulihan (menit)", "Mean time to recover (min)"),
    "c.alert": ("Peringatan", "Alert"),
    "c.target": ("Objek", "Object"),
    "c.start": ("Mulai", "Start"),
    "c.end": ("Selesai", "End"),
    "e.no_alerts": ("Tidak ada gangguan dalam periode ini.", "No incidents in this period."),
    # planned maintenance in the uptime report
    "t.uptime_maintenance": ("Pemeliharaan terencana dalam periode", "Planned maintenance in the period"),
    "c.maintenance_min": ("Pemeliharaan (menit)", "Maintenance (min)"),
    "c.availability_sla": ("Ketersediaan menurut SLA", "Availability as the SLA counts it"),
    "c.window": ("Jendela", "Window"),
    "c.maintenance_down_min": ("Mati selama pemeliharaan (menit)", "Down during maintenance (min)"),
    "c.sla_rule": ("Aturan kontrak", "Contract rule"),
    "v.sla_exclude": ("tidak dihitung dalam SLA", "excluded from the SLA"),
    "v.sla_include": ("dihitung dalam SLA", "counted in the SLA"),
    "src.maintenance": ("Sumber: jendela pemeliharaan di inventaris dan Prometheus (sampel mati di dalam jendela).",
                        "Source: the inventory's maintenance windows and Prometheus (down samples inside them)."),
    # -- config compliance (netops config audit) --
    "title.compliance": ("Laporan Kepatuhan Konfigurasi {regency}", "Configuration Compliance Report, {regency}"),
    "h.compliance_summary": ("Ringkasan kepatuhan", "Compliance summary"),
    "h.compliance_devices": ("Perangkat", "Devices"),
    "h.compliance_findings": ("Temuan", "Findings"),
    "t.compliance_kecamatan": ("Kepatuhan per kecamatan", "Compliance per kecamatan"),
    "t.compliance_platform": ("Kepatuhan per platform", "Compliance per platform"),
    "t.compliance_devices": ("Daftar perangkat", "Device list"),
    "t.compliance_findings": ("Temuan per perangkat dan aturan", "Findings per device and rule"),
    "c.platform": ("Platform", "Platform"),
    "c.devices": ("Perangkat", "Devices"),
    "c.device": ("Perangkat", "Device"),
    "c.compliant": ("Patuh", "Compliant"),
    "c.drifted": ("Menyimpang dari templat", "Drifted from templates"),
    "c.noncompliant": ("Melanggar aturan", "Breaks a rule"),
    "c.unreachable": ("Tak terjangkau", "Unreachable"),
    "c.compliant_pct": ("Patuh (%)", "Compliant (%)"),
    "c.cstate": ("Status", "State"),
    "c.drift_lines": ("Baris menyimpang", "Drifted lines"),
    "c.findings": ("Temuan", "Findings"),
    "c.rule": ("Aturan", "Rule"),
    "c.severity": ("Tingkat", "Severity"),
    "c.finding": ("Temuan", "Finding"),
    "c.lines": ("Baris (disamarkan)", "Lines (masked)"),
    "c.why": ("Alasan", "Why"),
    "cstate.compliant": ("patuh", "compliant"),
    "cstate.drifted": ("menyimpang", "drifted"),
    "cstate.non-compliant": ("melanggar aturan", "non-compliant"),
    "cstate.unreachable": ("tak terjangkau", "unreachable"),
    "src.compliance": ("Sumber: konfigurasi berjalan tiap perangkat, dibandingkan dengan templat dan aturan compliance/*.yaml; "
                       "rahasia disamarkan.",
                       "Source: each device's running config against the templates and the rules in compliance/*.yaml; "
                       "secrets masked."),
    "e.no_findings": ("Tidak ada temuan: semua perangkat patuh.", "No findings: every device is compliant."),
    "meta.rules": ("Aturan", "Rules"),
    "p.compliance": ("{compliant} dari {devices} perangkat patuh ({pct} %); {drifted} menyimpang dari templat, "
                     "{noncompliant} melanggar aturan keamanan, {unreachable} tak terjangkau.",
                     "{compliant} of {devices} devices compliant ({pct} %); {drifted} drifted from the templates, "
                     "{noncompliant} break a security rule, {unreachable} unreachable."),
}


class Messages:
    """``m("key", **fields)`` in one language; ``m.num(value, kind)`` formats a number for people."""

    def __init__(self, lang: str = "id"):
        if lang not in LANGS:
            raise ReportError(f"--lang {lang!r}: choose one of {', '.join(LANGS)}")
        self.lang = lang
        self._i = LANGS.index(lang)

    def __call__(self, key: str, **fields: Any) -> str:
        try:
            text = MESSAGES[key][self._i]
        except KeyError:
            raise KeyError(f"report message {key!r} missing from netops/report/i18n.py") from None
        return text.format(**fields) if fields else text

    def num(self, value: Any, kind: str) -> str:
        return format_value(value, kind, self.lang)


def _group(text: str, lang: str) -> str:
    if lang == "id":  # 1,234.5 -> 1.234,5
        return text.replace(",", "_").replace(".", ",").replace("_", ".")
    return text


def _trim(text: str) -> str:
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_value(value: Any, kind: str, lang: str) -> str:
    """How a cell reads to a person; None is a dash."""
    if value is None or value == "":
        return "–"
    if kind == "bool":
        return MESSAGES["l.yes" if value else "l.no"][LANGS.index(lang)]
    if kind == "text":
        return str(value)
    v = float(value)
    if kind == "int":
        text = f"{int(round(v)):,}"
    elif kind == "pct":
        text = f"{v:,.1f}"
    elif kind == "avail":
        text = f"{v * 100:,.3f}"
    elif kind == "loss":
        text = f"{v * 100:,.2f}"
    elif kind == "ms":
        text = f"{v * 1000:,.0f}"
    elif kind == "km":
        text = f"{v:,.1f}"
    elif kind == "rp":
        text = f"{round(v):,}"
    elif kind in ("mbps", "min"):
        text = _trim(f"{v:,.1f}")
    else:
        text = _trim(f"{v:,.3f}")
    return _group(text, lang)


def machine_value(value: Any, kind: str) -> Any:
    """The plain value CSV and GeoJSON carry: percentages as percent, seconds as ms, no grouping."""
    if value is None:
        return None
    if kind in ("avail", "loss"):
        return round(float(value) * 100, 6)
    if kind == "ms":
        return round(float(value) * 1000, 3)
    if kind == "pct":
        return round(float(value), 4)
    if kind in ("km",):
        return round(float(value), 3)
    if kind == "rp":
        return int(round(float(value)))
    if kind == "bool":
        return bool(value)
    if kind == "int":
        return int(round(float(value)))
    if kind in ("mbps", "min"):
        v = float(value)
        return int(v) if v.is_integer() else round(v, 3)
    return value
