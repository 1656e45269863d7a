//! Synthetic Vietnamese names: common family names, gendered middle names
//! and given names, combined at random. No real person's record is used.

pub const FAMILY: [&str; 16] = [
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
    "Hồ", "Ngô", "Dương", "Lý",
];
pub const MIDDLE_MALE: [&str; 8] = ["Văn", "Hữu", "Đức", "Minh", "Quốc", "Thanh", "Xuân", "Công"];
pub const MIDDLE_FEMALE: [&str; 8] = ["Thị", "Ngọc", "Thu", "Minh", "Thanh", "Kim", "Bích", "Hồng"];
pub const GIVEN_MALE: [&str; 20] = [
    "An", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hùng", "Khánh", "Long", "Minh", "Nam", "Phong",
    "Phúc", "Quân", "Quang", "Sơn", "Thắng", "Tuấn", "Việt", "Vinh",
];
pub const GIVEN_FEMALE: [&str; 20] = [
    "Anh", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hoa", "Hương", "Lan", "Linh", "Mai", "Nga",
    "Ngân", "Nhung", "Phương", "Tâm", "Thảo", "Trang", "Vân", "Yến",
];
