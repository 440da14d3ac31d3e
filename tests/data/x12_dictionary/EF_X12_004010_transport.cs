// Excerpt of https://github.com/RichardFeich/EdiTemplateResolver @ 0efa2864b076b8e63773489b1b6c63b8c155402a
// X12/004010/Common/EF_X12_004010_Segments.cs and _ComplexElements.cs: the classes of the segments the transport maps use.
// Written by gateway/x12/schema/generate.py --excerpt; read by tests/unit/test_x12_dictionary.py.
[Segment("AK1")]
    public class AK1 : I_AK1
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// Functional Identifier Code
        /// </summary>
        [DataMember]
        [Required]
        [DataElement("479", typeof(X12_ID_479))]
        [Pos(1)]
        public string FunctionalIdentifierCode_01 { get; set; }
        /// <summary>
        /// Group Control Number
        /// </summary>
        [DataMember]
        [Required]
        [StringLength(1, 9)]
        [DataElement("28", typeof(X12_N0))]
        [Pos(2)]
        public string GroupControlNumber_02 { get; set; }
    }
[Segment("AK2")]
    public class AK2 : I_AK2
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// Transaction Set Identifier Code
        /// </summary>
        [DataMember]
        [Required]
        [DataElement("143", typeof(X12_ID_143))]
        [Pos(1)]
        public string TransactionSetIdentifierCode_01 { get; set; }
        /// <summary>
        /// Transaction Set Control Number
        /// </summary>
        [DataMember]
        [Required]
        [StringLength(4, 9)]
        [DataElement("329", typeof(X12_AN))]
        [Pos(2)]
        public string TransactionSetControlNumber_02 { get; set; }
    }
[Segment("AK3")]
    public class AK3 : I_AK3
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// Segment ID Code
        /// </summary>
        [DataMember]
        [Required]
        [StringLength(2, 3)]
        [DataElement("721", typeof(X12_AN))]
        [Pos(1)]
        public string SegmentIDCode_01 { get; set; }
        /// <summary>
        /// Segment Position in Transaction Set
        /// </summary>
        [DataMember]
        [Required]
        [StringLength(1, 6)]
        [DataElement("719", typeof(X12_N0))]
        [Pos(2)]
        public string SegmentPositioninTransactionSet_02 { get; set; }
        /// <summary>
        /// Loop Identifier Code
        /// </summary>
        [DataMember]
        [StringLength(1, 6)]
        [DataElement("447", typeof(X12_AN))]
        [Pos(3)]
        public string LoopIdentifierCode_03 { get; set; }
        /// <summary>
        /// Segment Syntax Error Code
        /// </summary>
        [DataMember]
        [DataElement("720", typeof(X12_ID_720))]
        [Pos(4)]
        public string SegmentSyntaxErrorCode_04 { get; set; }
    }
[Segment("AK4")]
    public class AK4 : I_AK4<C030>
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// Position in Segment
        /// </summary>
        [DataMember]
        [Required]
        [Pos(1)]
        public virtual C030 PositioninSegment_01 { get; set; }
        /// <summary>
        /// Data Element Reference Number
        /// </summary>
        [DataMember]
        [StringLength(1, 4)]
        [DataElement("725", typeof(X12_N0))]
        [Pos(2)]
        public string DataElementReferenceNumber_02 { get; set; }
        /// <summary>
        /// Data Element Syntax Error Code
        /// </summary>
        [DataMember]
        [Required]
        [DataElement("723", typeof(X12_ID_723))]
        [Pos(3)]
        public string DataElementSyntaxErrorCode_03 { get; set; }
        /// <summary>
        /// Copy of Bad Data Element
        /// </summary>
        [DataMember]
        [StringLength(1, 99)]
        [DataElement("724", typeof(X12_AN))]
        [Pos(4)]
        public string CopyofBadDataElement_04 { get; set; }
    }
[Segment("AK5")]
    public class AK5 : I_AK5
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// Transaction Set Acknowledgment Code
        /// </summary>
        [DataMember]
        [Required]
        [DataElement("717", typeof(X12_ID_717))]
        [Pos(1)]
        public string TransactionSetAcknowledgmentCode_01 { get; set; }
        /// <summary>
        /// Transaction Set Syntax Error Code
        /// </summary>
        [DataMember]
        [DataElement("718", typeof(X12_ID_718))]
        [Pos(2)]
        public string TransactionSetSyntaxErrorCode_02 { get; set; }
        /// <summary>
        /// Transaction Set Syntax Error Code
        /// </summary>
        [DataMember]
        [DataElement("718", typeof(X12_ID_718))]
        [Pos(3)]
        public string TransactionSetSyntaxErrorCode_03 { get; set; }
        /// <summary>
        /// Transaction Set Syntax Error Code
        /// </summary>
        [DataMember]
        [DataElement("718", typeof(X12_ID_718))]
        [Pos(4)]
        public string TransactionSetSyntaxErrorCode_04 { get; set; }
        /// <summary>
        /// Transaction Set Syntax Error Code
        /// </summary>
        [DataMember]
        [DataElement("718", typeof(X12_ID_718))]
        [Pos(5)]
        public string TransactionSetSyntaxErrorCode_05 { get; set; }
        /// <summary>
        /// Transaction Set Syntax Error Code
        /// </summary>
        [DataMember]
        [DataElement("718", typeof(X12_ID_718))]
        [Pos(6)]
        public string TransactionSetSyntaxErrorCode_06 { get; set; }
    }
[Segment("AK9")]
    public class AK9 : I_AK9
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// Functional Group Acknowledge Code
        /// </summary>
        [DataMember]
        [Required]
        [DataElement("715", typeof(X12_ID_715))]
        [Pos(1)]
        public string FunctionalGroupAcknowledgeCode_01 { get; set; }
        /// <summary>
        /// Number of Transaction Sets Included
        /// </summary>
        [DataMember]
        [Required]
        [StringLength(1, 6)]
        [DataElement("97", typeof(X12_N0))]
        [Pos(2)]
        public string NumberofTransactionSetsIncluded_02 { get; set; }
        /// <summary>
        /// Number of Received Transaction Sets
        /// </summary>
        [DataMember]
        [Required]
        [StringLength(1, 6)]
        [DataElement("123", typeof(X12_N0))]
        [Pos(3)]
        public string NumberofReceivedTransactionSets_03 { get; set; }
        /// <summary>
        /// Number of Accepted Transaction Sets
        /// </summary>
        [DataMember]
        [Required]
        [StringLength(1, 6)]
        [DataElement("2", typeof(X12_N0))]
        [Pos(4)]
        public string NumberofAcceptedTransactionSets_04 { get; set; }
        /// <summary>
        /// Functional Group Syntax Error Code
        /// </summary>
        [DataMember]
        [DataElement("716", typeof(X12_ID_716))]
        [Pos(5)]
        public string FunctionalGroupSyntaxErrorCode_05 { get; set; }
        /// <summary>
        /// Functional Group Syntax Error Code
        /// </summary>
        [DataMember]
        [DataElement("716", typeof(X12_ID_716))]
        [Pos(6)]
        public string FunctionalGroupSyntaxErrorCode_06 { get; set; }
        /// <summary>
        /// Functional Group Syntax Error Code
        /// </summary>
        [DataMember]
        [DataElement("716", typeof(X12_ID_716))]
        [Pos(7)]
        public string FunctionalGroupSyntaxErrorCode_07 { get; set; }
        /// <summary>
        /// Functional Group Syntax Error Code
        /// </summary>
        [DataMember]
        [DataElement("716", typeof(X12_ID_716))]
        [Pos(8)]
        public string FunctionalGroupSyntaxErrorCode_08 { get; set; }
        /// <summary>
        /// Functional Group Syntax Error Code
        /// </summary>
        [DataMember]
        [DataElement("716", typeof(X12_ID_716))]
        [Pos(9)]
        public string FunctionalGroupSyntaxErrorCode_09 { get; set; }
    }
[Segment("AT5")]
    public class AT5 : I_AT5
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// Special Handling Code
        /// </summary>
        [DataMember]
        [Exclusion(3)]
        [DataElement("152", typeof(X12_ID_152))]
        [Pos(1)]
        public string SpecialHandlingCode_01 { get; set; }
        /// <summary>
        /// Special Services Code
        /// </summary>
        [DataMember]
        [Exclusion(3)]
        [DataElement("560", typeof(X12_ID_560))]
        [Pos(2)]
        public string SpecialServicesCode_02 { get; set; }
        /// <summary>
        /// Special Handling Description
        /// </summary>
        [DataMember]
        [StringLength(2, 30)]
        [DataElement("153", typeof(X12_AN))]
        [Pos(3)]
        public string SpecialHandlingDescription_03 { get; set; }
    }
[Segment("AT7")]
    public class AT7 : I_AT7
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// Shipment Status Code
        /// </summary>
        [DataMember]
        [Exclusion(3)]
        [Paired(2)]
        [DataElement("1650", typeof(X12_ID_1650))]
        [Pos(1)]
        public string ShipmentStatusCode_01 { get; set; }
        /// <summary>
        /// Shipment Status or Appointment Reason Code
        /// </summary>
        [DataMember]
        [DataElement("1651", typeof(X12_ID_1651))]
        [Pos(2)]
        public string ShipmentStatusorAppointmentReasonCode_02 { get; set; }
        /// <summary>
        /// Shipment Appointment Status Code
        /// </summary>
        [DataMember]
        [Paired(4)]
        [DataElement("1652", typeof(X12_ID_1652))]
        [Pos(3)]
        public string ShipmentAppointmentStatusCode_03 { get; set; }
        /// <summary>
        /// Shipment Status or Appointment Reason Code
        /// </summary>
        [DataMember]
        [DataElement("1651", typeof(X12_ID_1651))]
        [Pos(4)]
        public string ShipmentStatusorAppointmentReasonCode_04 { get; set; }
        /// <summary>
        /// Date
        /// </summary>
        [DataMember]
        [StringLength(8, 8)]
        [DataElement("373", typeof(X12_DT))]
        [Pos(5)]
        public string Date_05 { get; set; }
        /// <summary>
        /// Time
        /// </summary>
        [DataMember]
        [Conditional(5)]
        [StringLength(4, 8)]
        [DataElement("337", typeof(X12_TM))]
        [Pos(6)]
        public string Time_06 { get; set; }
        /// <summary>
        /// Time Code
        /// </summary>
        [DataMember]
        [Conditional(6)]
        [DataElement("623", typeof(X12_ID_623))]
        [Pos(7)]
        public string TimeCode_07 { get; set; }
    }
[Segment("AT8")]
    public class AT8 : I_AT8
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// Weight Qualifier
        /// </summary>
        [DataMember]
        [Paired(2, 3)]
        [DataElement("187", typeof(X12_ID_187))]
        [Pos(1)]
        public string WeightQualifier_01 { get; set; }
        /// <summary>
        /// Weight Unit Code
        /// </summary>
        [DataMember]
        [DataElement("188", typeof(X12_ID_188))]
        [Pos(2)]
        public string WeightUnitCode_02 { get; set; }
        /// <summary>
        /// Weight
        /// </summary>
        [DataMember]
        [StringLength(1, 10)]
        [DataElement("81", typeof(X12_R))]
        [Pos(3)]
        public string Weight_03 { get; set; }
        /// <summary>
        /// Lading Quantity
        /// </summary>
        [DataMember]
        [StringLength(1, 7)]
        [DataElement("80", typeof(X12_N0))]
        [Pos(4)]
        public string LadingQuantity_04 { get; set; }
        /// <summary>
        /// Lading Quantity
        /// </summary>
        [DataMember]
        [StringLength(1, 7)]
        [DataElement("80", typeof(X12_N0))]
        [Pos(5)]
        public string LadingQuantity_05 { get; set; }
        /// <summary>
        /// Volume Unit Qualifier
        /// </summary>
        [DataMember]
        [Paired(7)]
        [DataElement("184", typeof(X12_ID_184))]
        [Pos(6)]
        public string VolumeUnitQualifier_06 { get; set; }
        /// <summary>
        /// Volume
        /// </summary>
        [DataMember]
        [StringLength(1, 8)]
        [DataElement("183", typeof(X12_R))]
        [Pos(7)]
        public string Volume_07 { get; set; }
    }
[Segment("B1")]
    public class B1 : I_B1
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// Standard Carrier Alpha Code
        /// </summary>
        [DataMember]
        [StringLength(2, 4)]
        [DataElement("140", typeof(X12_AN))]
        [Pos(1)]
        public string StandardCarrierAlphaCode_01 { get; set; }
        /// <summary>
        /// Shipment Identification Number
        /// </summary>
        [DataMember]
        [Required]
        [StringLength(1, 30)]
        [DataElement("145", typeof(X12_AN))]
        [Pos(2)]
        public string ShipmentIdentificationNumber_02 { get; set; }
        /// <summary>
        /// Date
        /// </summary>
        [DataMember]
        [StringLength(8, 8)]
        [DataElement("373", typeof(X12_DT))]
        [Pos(3)]
        public string Date_03 { get; set; }
        /// <summary>
        /// Reservation Action Code
        /// </summary>
        [DataMember]
        [DataElement("558", typeof(X12_ID_558))]
        [Pos(4)]
        public string ReservationActionCode_04 { get; set; }
    }
[Segment("B10")]
    public class B10 : I_B10
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// Reference Identification
        /// </summary>
        [DataMember]
        [RequiredAny(6)]
        [Exclusion(5)]
        [StringLength(1, 30)]
        [DataElement("127", typeof(X12_AN))]
        [Pos(1)]
        public string ReferenceIdentification_01 { get; set; }
        /// <summary>
        /// Shipment Identification Number
        /// </summary>
        [DataMember]
        [StringLength(1, 30)]
        [DataElement("145", typeof(X12_AN))]
        [Pos(2)]
        public string ShipmentIdentificationNumber_02 { get; set; }
        /// <summary>
        /// Standard Carrier Alpha Code
        /// </summary>
        [DataMember]
        [Required]
        [StringLength(2, 4)]
        [DataElement("140", typeof(X12_AN))]
        [Pos(3)]
        public string StandardCarrierAlphaCode_03 { get; set; }
        /// <summary>
        /// Inquiry Request Number
        /// </summary>
        [DataMember]
        [StringLength(1, 3)]
        [DataElement("71", typeof(X12_N0))]
        [Pos(4)]
        public string InquiryRequestNumber_04 { get; set; }
        /// <summary>
        /// Reference Identification Qualifier
        /// </summary>
        [DataMember]
        [Paired(6)]
        [DataElement("128", typeof(X12_ID_128))]
        [Pos(5)]
        public string ReferenceIdentificationQualifier_05 { get; set; }
        /// <summary>
        /// Reference Identification
        /// </summary>
        [DataMember]
        [StringLength(1, 30)]
        [DataElement("127", typeof(X12_AN))]
        [Pos(6)]
        public string ReferenceIdentification_06 { get; set; }
        /// <summary>
        /// Yes/No Condition or Response Code
        /// </summary>
        [DataMember]
        [DataElement("1073", typeof(X12_ID_1073))]
        [Pos(7)]
        public string YesNoConditionorResponseCode_07 { get; set; }
    }
[Segment("B2")]
    public class B2 : I_B2
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// Tariff Service Code
        /// </summary>
        [DataMember]
        [DataElement("375", typeof(X12_ID_375))]
        [Pos(1)]
        public string TariffServiceCode_01 { get; set; }
        /// <summary>
        /// Standard Carrier Alpha Code
        /// </summary>
        [DataMember]
        [StringLength(2, 4)]
        [DataElement("140", typeof(X12_AN))]
        [Pos(2)]
        public string StandardCarrierAlphaCode_02 { get; set; }
        /// <summary>
        /// Standard Point Location Code
        /// </summary>
        [DataMember]
        [StringLength(6, 9)]
        [DataElement("154", typeof(X12_AN))]
        [Pos(3)]
        public string StandardPointLocationCode_03 { get; set; }
        /// <summary>
        /// Shipment Identification Number
        /// </summary>
        [DataMember]
        [StringLength(1, 30)]
        [DataElement("145", typeof(X12_AN))]
        [Pos(4)]
        public string ShipmentIdentificationNumber_04 { get; set; }
        /// <summary>
        /// Weight Unit Code
        /// </summary>
        [DataMember]
        [DataElement("188", typeof(X12_ID_188))]
        [Pos(5)]
        public string WeightUnitCode_05 { get; set; }
        /// <summary>
        /// Shipment Method of Payment
        /// </summary>
        [DataMember]
        [Required]
        [DataElement("146", typeof(X12_ID_146))]
        [Pos(6)]
        public string ShipmentMethodofPayment_06 { get; set; }
        /// <summary>
        /// Shipment Qualifier
        /// </summary>
        [DataMember]
        [DataElement("147", typeof(X12_ID_147))]
        [Pos(7)]
        public string ShipmentQualifier_07 { get; set; }
        /// <summary>
        /// Total Equipment
        /// </summary>
        [DataMember]
        [StringLength(1, 3)]
        [DataElement("86", typeof(X12_N0))]
        [Pos(8)]
        public string TotalEquipment_08 { get; set; }
        /// <summary>
        /// Shipment Weight Code
        /// </summary>
        [DataMember]
        [DataElement("460", typeof(X12_ID_460))]
        [Pos(9)]
        public string ShipmentWeightCode_09 { get; set; }
        /// <summary>
        /// Customs Documentation Handling Code
        /// </summary>
        [DataMember]
        [DataElement("501", typeof(X12_ID_501))]
        [Pos(10)]
        public string CustomsDocumentationHandlingCode_10 { get; set; }
        /// <summary>
        /// Transportation Terms Code
        /// </summary>
        [DataMember]
        [DataElement("335", typeof(X12_ID_335))]
        [Pos(11)]
        public string TransportationTermsCode_11 { get; set; }
        /// <summary>
        /// Payment Method Code
        /// </summary>
        [DataMember]
        [DataElement("591", typeof(X12_ID_591))]
        [Pos(12)]
        public string PaymentMethodCode_12 { get; set; }
    }
[Segment("B2A")]
    public class B2A : I_B2A
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// Transaction Set Purpose Code
        /// </summary>
        [DataMember]
        [Required]
        [DataElement("353", typeof(X12_ID_353))]
        [Pos(1)]
        public string TransactionSetPurposeCode_01 { get; set; }
        /// <summary>
        /// Application Type
        /// </summary>
        [DataMember]
        [DataElement("346", typeof(X12_ID_346))]
        [Pos(2)]
        public string ApplicationType_02 { get; set; }
    }
[Segment("B3")]
    public class B3 : I_B3
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// Shipment Qualifier
        /// </summary>
        [DataMember]
        [DataElement("147", typeof(X12_ID_147))]
        [Pos(1)]
        public string ShipmentQualifier_01 { get; set; }
        /// <summary>
        /// Invoice Number
        /// </summary>
        [DataMember]
        [Required]
        [StringLength(1, 22)]
        [DataElement("76", typeof(X12_AN))]
        [Pos(2)]
        public string InvoiceNumber_02 { get; set; }
        /// <summary>
        /// Shipment Identification Number
        /// </summary>
        [DataMember]
        [StringLength(1, 30)]
        [DataElement("145", typeof(X12_AN))]
        [Pos(3)]
        public string ShipmentIdentificationNumber_03 { get; set; }
        /// <summary>
        /// Shipment Method of Payment
        /// </summary>
        [DataMember]
        [Required]
        [DataElement("146", typeof(X12_ID_146))]
        [Pos(4)]
        public string ShipmentMethodofPayment_04 { get; set; }
        /// <summary>
        /// Weight Unit Code
        /// </summary>
        [DataMember]
        [DataElement("188", typeof(X12_ID_188))]
        [Pos(5)]
        public string WeightUnitCode_05 { get; set; }
        /// <summary>
        /// Date
        /// </summary>
        [DataMember]
        [Required]
        [StringLength(8, 8)]
        [DataElement("373", typeof(X12_DT))]
        [Pos(6)]
        public string Date_06 { get; set; }
        /// <summary>
        /// Net Amount Due
        /// </summary>
        [DataMember]
        [Required]
        [StringLength(1, 12)]
        [DataElement("193", typeof(X12_N2))]
        [Pos(7)]
        public string NetAmountDue_07 { get; set; }
        /// <summary>
        /// Correction Indicator
        /// </summary>
        [DataMember]
        [DataElement("202", typeof(X12_ID_202))]
        [Pos(8)]
        public string CorrectionIndicator_08 { get; set; }
        /// <summary>
        /// Delivery Date
        /// </summary>
        [DataMember]
        [Paired(10)]
        [StringLength(8, 8)]
        [DataElement("32", typeof(X12_DT))]
        [Pos(9)]
        public string DeliveryDate_09 { get; set; }
        /// <summary>
        /// Date/Time Qualifier
        /// </summary>
        [DataMember]
        [DataElement("374", typeof(X12_ID_374))]
        [Pos(10)]
        public string DateTimeQualifier_10 { get; set; }
        /// <summary>
        /// Standard Carrier Alpha Code
        /// </summary>
        [DataMember]
        [Required]
        [StringLength(2, 4)]
        [DataElement("140", typeof(X12_AN))]
        [Pos(11)]
        public string StandardCarrierAlphaCode_11 { get; set; }
        /// <summary>
        /// Date
        /// </summary>
        [DataMember]
        [StringLength(8, 8)]
        [DataElement("373", typeof(X12_DT))]
        [Pos(12)]
        public string Date_12 { get; set; }
        /// <summary>
        /// Tariff Service Code
        /// </summary>
        [DataMember]
        [DataElement("375", typeof(X12_ID_375))]
        [Pos(13)]
        public string TariffServiceCode_13 { get; set; }
        /// <summary>
        /// Transportation Terms Code
        /// </summary>
        [DataMember]
        [DataElement("335", typeof(X12_ID_335))]
        [Pos(14)]
        public string TransportationTermsCode_14 { get; set; }
    }
[Segment("BIN")]
    public class BIN : I_BIN
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// Length of Binary Data
        /// </summary>
        [DataMember]
        [Required]
        [StringLength(1, 15)]
        [DataElement("784", typeof(X12_N0))]
        [Pos(1)]
        public string LengthofBinaryData_01 { get; set; }
        /// <summary>
        /// Binary Data
        /// </summary>
        [DataMember]
        [Required]
        [StringLength(1, 1000000)]
        [DataElement("785", typeof(X12_AN))]
        [Pos(2)]
        public string BinaryData_02 { get; set; }
    }
[Segment("C2")]
    public class C2 : I_C2
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// Bank Client Code
        /// </summary>
        [DataMember]
        [Required]
        [DataElement("8", typeof(X12_ID_8))]
        [Pos(1)]
        public string BankClientCode_01 { get; set; }
        /// <summary>
        /// Identification Code Qualifier
        /// </summary>
        [DataMember]
        [Required]
        [DataElement("66", typeof(X12_ID_66))]
        [Pos(2)]
        public string IdentificationCodeQualifier_02 { get; set; }
        /// <summary>
        /// Identification Code
        /// </summary>
        [DataMember]
        [Required]
        [StringLength(2, 80)]
        [DataElement("67", typeof(X12_AN))]
        [Pos(3)]
        public string IdentificationCode_03 { get; set; }
        /// <summary>
        /// Client Bank Number
        /// </summary>
        [DataMember]
        [StringLength(3, 9)]
        [DataElement("20", typeof(X12_AN))]
        [Pos(4)]
        public string ClientBankNumber_04 { get; set; }
        /// <summary>
        /// Bank Account Number
        /// </summary>
        [DataMember]
        [StringLength(6, 17)]
        [DataElement("7", typeof(X12_AN))]
        [Pos(5)]
        public string BankAccountNumber_05 { get; set; }
        /// <summary>
        /// Payment Method Code
        /// </summary>
        [DataMember]
        [DataElement("107", typeof(X12_ID_107))]
        [Pos(6)]
        public string PaymentMethodCode_06 { get; set; }
        /// <summary>
        /// Date
        /// </summary>
        [DataMember]
        [StringLength(8, 8)]
        [DataElement("373", typeof(X12_DT))]
        [Pos(7)]
        public string Date_07 { get; set; }
    }
[Segment("C3")]
    public class C3 : I_C3
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// Currency Code
        /// </summary>
        [DataMember]
        [Required]
        [StringLength(3, 3)]
        [DataElement("100", typeof(X12_AN))]
        [Pos(1)]
        public string CurrencyCode_01 { get; set; }
        /// <summary>
        /// Exchange Rate
        /// </summary>
        [DataMember]
        [StringLength(4, 10)]
        [DataElement("280", typeof(X12_R))]
        [Pos(2)]
        public string ExchangeRate_02 { get; set; }
        /// <summary>
        /// Currency Code
        /// </summary>
        [DataMember]
        [StringLength(3, 3)]
        [DataElement("100", typeof(X12_AN))]
        [Pos(3)]
        public string CurrencyCode_03 { get; set; }
        /// <summary>
        /// Currency Code
        /// </summary>
        [DataMember]
        [StringLength(3, 3)]
        [DataElement("100", typeof(X12_AN))]
        [Pos(4)]
        public string CurrencyCode_04 { get; set; }
    }
[Segment("CD3")]
    public class CD3 : I_CD3
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// Weight Qualifier
        /// </summary>
        [DataMember]
        [Paired(2)]
        [DataElement("187", typeof(X12_ID_187))]
        [Pos(1)]
        public string WeightQualifier_01 { get; set; }
        /// <summary>
        /// Weight
        /// </summary>
        [DataMember]
        [StringLength(1, 10)]
        [DataElement("81", typeof(X12_R))]
        [Pos(2)]
        public string Weight_02 { get; set; }
        /// <summary>
        /// Zone
        /// </summary>
        [DataMember]
        [StringLength(2, 3)]
        [DataElement("619", typeof(X12_AN))]
        [Pos(3)]
        public string Zone_03 { get; set; }
        /// <summary>
        /// Service Standard
        /// </summary>
        [DataMember]
        [StringLength(1, 4)]
        [DataElement("34", typeof(X12_N1))]
        [Pos(4)]
        public string ServiceStandard_04 { get; set; }
        /// <summary>
        /// Service Level Code
        /// </summary>
        [DataMember]
        [DataElement("284", typeof(X12_ID_284))]
        [Pos(5)]
        public string ServiceLevelCode_05 { get; set; }
        /// <summary>
        /// Pick-up or Delivery Code
        /// </summary>
        [DataMember]
        [DataElement("108", typeof(X12_ID_108))]
        [Pos(6)]
        public string PickuporDeliveryCode_06 { get; set; }
        /// <summary>
        /// Rate/Value Qualifier
        /// </summary>
        [DataMember]
        [Paired(8)]
        [DataElement("122", typeof(X12_ID_122))]
        [Pos(7)]
        public string RateValueQualifier_07 { get; set; }
        /// <summary>
        /// Charge
        /// </summary>
        [DataMember]
        [StringLength(1, 12)]
        [DataElement("58", typeof(X12_N2))]
        [Pos(8)]
        public string Charge_08 { get; set; }
        /// <summary>
        /// Rate/Value Qualifier
        /// </summary>
        [DataMember]
        [Paired(10)]
        [DataElement("122", typeof(X12_ID_122))]
        [Pos(9)]
        public string RateValueQualifier_09 { get; set; }
        /// <summary>
        /// Charge
        /// </summary>
        [DataMember]
        [StringLength(1, 12)]
        [DataElement("58", typeof(X12_N2))]
        [Pos(10)]
        public string Charge_10 { get; set; }
        /// <summary>
        /// Service Level Code
        /// </summary>
        [DataMember]
        [Conditional(5)]
        [DataElement("284", typeof(X12_ID_284))]
        [Pos(11)]
        public string ServiceLevelCode_11 { get; set; }
        /// <summary>
        /// Service Level Code
        /// </summary>
        [DataMember]
        [Conditional(11)]
        [DataElement("284", typeof(X12_ID_284))]
        [Pos(12)]
        public string ServiceLevelCode_12 { get; set; }
        /// <summary>
        /// Payment Method Code
        /// </summary>
        [DataMember]
        [DataElement("591", typeof(X12_ID_591))]
        [Pos(13)]
        public string PaymentMethodCode_13 { get; set; }
        /// <summary>
        /// Country Code
        /// </summary>
        [DataMember]
        [Conditional(5)]
        [StringLength(2, 3)]
        [DataElement("26", typeof(X12_AN))]
        [Pos(14)]
        public string CountryCode_14 { get; set; }
    }
[Segment("EFI")]
    public class EFI : I_EFI
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// Security Level Code
        /// </summary>
        [DataMember]
        [Required]
        [DataElement("786", typeof(X12_ID_786))]
        [Pos(1)]
        public string SecurityLevelCode_01 { get; set; }
        /// <summary>
        /// Free-Form Message Text
        /// </summary>
        [DataMember]
        [StringLength(1, 264)]
        [DataElement("933", typeof(X12_AN))]
        [Pos(2)]
        public string FreeFormMessageText_02 { get; set; }
        /// <summary>
        /// Security Technique Code
        /// </summary>
        [DataMember]
        [DataElement("797", typeof(X12_ID_797))]
        [Pos(3)]
        public string SecurityTechniqueCode_03 { get; set; }
        /// <summary>
        /// Version Identifier
        /// </summary>
        [DataMember]
        [StringLength(1, 30)]
        [DataElement("799", typeof(X12_AN))]
        [Pos(4)]
        public string VersionIdentifier_04 { get; set; }
        /// <summary>
        /// Program Identifier
        /// </summary>
        [DataMember]
        [Conditional(4)]
        [StringLength(1, 30)]
        [DataElement("802", typeof(X12_AN))]
        [Pos(5)]
        public string ProgramIdentifier_05 { get; set; }
        /// <summary>
        /// Version Identifier
        /// </summary>
        [DataMember]
        [StringLength(1, 30)]
        [DataElement("799", typeof(X12_AN))]
        [Pos(6)]
        public string VersionIdentifier_06 { get; set; }
        /// <summary>
        /// Interchange Format
        /// </summary>
        [DataMember]
        [Conditional(6)]
        [StringLength(1, 30)]
        [DataElement("801", typeof(X12_AN))]
        [Pos(7)]
        public string InterchangeFormat_07 { get; set; }
        /// <summary>
        /// Version Identifier
        /// </summary>
        [DataMember]
        [StringLength(1, 30)]
        [DataElement("799", typeof(X12_AN))]
        [Pos(8)]
        public string VersionIdentifier_08 { get; set; }
        /// <summary>
        /// Compression Technique
        /// </summary>
        [DataMember]
        [Conditional(8)]
        [StringLength(1, 30)]
        [DataElement("800", typeof(X12_AN))]
        [Pos(9)]
        public string CompressionTechnique_09 { get; set; }
        /// <summary>
        /// Drawing Sheet Size Code
        /// </summary>
        [DataMember]
        [StringLength(2, 2)]
        [DataElement("789", typeof(X12_AN))]
        [Pos(10)]
        public string DrawingSheetSizeCode_10 { get; set; }
        /// <summary>
        /// File Name
        /// </summary>
        [DataMember]
        [StringLength(1, 64)]
        [DataElement("803", typeof(X12_AN))]
        [Pos(11)]
        public string FileName_11 { get; set; }
        /// <summary>
        /// Block Type
        /// </summary>
        [DataMember]
        [StringLength(1, 4)]
        [DataElement("804", typeof(X12_AN))]
        [Pos(12)]
        public string BlockType_12 { get; set; }
        /// <summary>
        /// Record Length
        /// </summary>
        [DataMember]
        [StringLength(1, 15)]
        [DataElement("787", typeof(X12_N))]
        [Pos(13)]
        public string RecordLength_13 { get; set; }
        /// <summary>
        /// Block Length
        /// </summary>
        [DataMember]
        [StringLength(1, 5)]
        [DataElement("788", typeof(X12_N))]
        [Pos(14)]
        public string BlockLength_14 { get; set; }
        /// <summary>
        /// Version Identifier
        /// </summary>
        [DataMember]
        [Paired(16)]
        [StringLength(1, 30)]
        [DataElement("799", typeof(X12_AN))]
        [Pos(15)]
        public string VersionIdentifier_15 { get; set; }
        /// <summary>
        /// Filter ID Code
        /// </summary>
        [DataMember]
        [DataElement("1570", typeof(X12_ID_1570))]
        [Pos(16)]
        public string FilterIDCode_16 { get; set; }
    }
[Segment("G61")]
    public class G61 : I_G61
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// Contact Function Code
        /// </summary>
        [DataMember]
        [Required]
        [DataElement("366", typeof(X12_ID_366))]
        [Pos(1)]
        public string ContactFunctionCode_01 { get; set; }
        /// <summary>
        /// Name
        /// </summary>
        [DataMember]
        [Required]
        [StringLength(1, 60)]
        [DataElement("93", typeof(X12_AN))]
        [Pos(2)]
        public string Name_02 { get; set; }
        /// <summary>
        /// Communication Number Qualifier
        /// </summary>
        [DataMember]
        [Paired(4)]
        [DataElement("365", typeof(X12_ID_365))]
        [Pos(3)]
        public string CommunicationNumberQualifier_03 { get; set; }
        /// <summary>
        /// Communication Number
        /// </summary>
        [DataMember]
        [StringLength(1, 80)]
        [DataElement("364", typeof(X12_AN))]
        [Pos(4)]
        public string CommunicationNumber_04 { get; set; }
        /// <summary>
        /// Contact Inquiry Reference
        /// </summary>
        [DataMember]
        [StringLength(1, 20)]
        [DataElement("443", typeof(X12_AN))]
        [Pos(5)]
        public string ContactInquiryReference_05 { get; set; }
    }
[Segment("G62")]
    public class G62 : I_G62
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// Date Qualifier
        /// </summary>
        [DataMember]
        [RequiredAny(3)]
        [Paired(2)]
        [DataElement("432", typeof(X12_ID_432))]
        [Pos(1)]
        public string DateQualifier_01 { get; set; }
        /// <summary>
        /// Date
        /// </summary>
        [DataMember]
        [StringLength(8, 8)]
        [DataElement("373", typeof(X12_DT))]
        [Pos(2)]
        public string Date_02 { get; set; }
        /// <summary>
        /// Time Qualifier
        /// </summary>
        [DataMember]
        [Paired(4)]
        [DataElement("176", typeof(X12_ID_176))]
        [Pos(3)]
        public string TimeQualifier_03 { get; set; }
        /// <summary>
        /// Time
        /// </summary>
        [DataMember]
        [StringLength(4, 8)]
        [DataElement("337", typeof(X12_TM))]
        [Pos(4)]
        public string Time_04 { get; set; }
        /// <summary>
        /// Time Code
        /// </summary>
        [DataMember]
        [DataElement("623", typeof(X12_ID_623))]
        [Pos(5)]
        public string TimeCode_05 { get; set; }
    }
[Segment("H1")]
    public class H1 : I_H1
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// Hazardous Material Code
        /// </summary>
        [DataMember]
        [Required]
        [StringLength(4, 10)]
        [DataElement("62", typeof(X12_AN))]
        [Pos(1)]
        public string HazardousMaterialCode_01 { get; set; }
        /// <summary>
        /// Hazardous Material Class Code
        /// </summary>
        [DataMember]
        [StringLength(1, 4)]
        [DataElement("209", typeof(X12_AN))]
        [Pos(2)]
        public string HazardousMaterialClassCode_02 { get; set; }
        /// <summary>
        /// Hazardous Material Code Qualifier
        /// </summary>
        [DataMember]
        [DataElement("208", typeof(X12_ID_208))]
        [Pos(3)]
        public string HazardousMaterialCodeQualifier_03 { get; set; }
        /// <summary>
        /// Hazardous Material Description
        /// </summary>
        [DataMember]
        [StringLength(2, 30)]
        [DataElement("64", typeof(X12_AN))]
        [Pos(4)]
        public string HazardousMaterialDescription_04 { get; set; }
        /// <summary>
        /// Hazardous Material Contact
        /// </summary>
        [DataMember]
        [StringLength(1, 24)]
        [DataElement("63", typeof(X12_AN))]
        [Pos(5)]
        public string HazardousMaterialContact_05 { get; set; }
        /// <summary>
        /// Hazardous Materials Page
        /// </summary>
        [DataMember]
        [StringLength(1, 6)]
        [DataElement("200", typeof(X12_AN))]
        [Pos(6)]
        public string HazardousMaterialsPage_06 { get; set; }
        /// <summary>
        /// Flashpoint Temperature
        /// </summary>
        [DataMember]
        [Paired(8)]
        [StringLength(1, 3)]
        [DataElement("77", typeof(X12_N))]
        [Pos(7)]
        public string FlashpointTemperature_07 { get; set; }
        /// <summary>
        /// Unit or Basis for Measurement Code
        /// </summary>
        [DataMember]
        [DataElement("355", typeof(X12_ID_355))]
        [Pos(8)]
        public string UnitorBasisforMeasurementCode_08 { get; set; }
        /// <summary>
        /// Packing Group Code
        /// </summary>
        [DataMember]
        [StringLength(1, 3)]
        [DataElement("254", typeof(X12_AN))]
        [Pos(9)]
        public string PackingGroupCode_09 { get; set; }
    }
[Segment("H2")]
    public class H2 : I_H2
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// Hazardous Material Description
        /// </summary>
        [DataMember]
        [Required]
        [StringLength(2, 30)]
        [DataElement("64", typeof(X12_AN))]
        [Pos(1)]
        public string HazardousMaterialDescription_01 { get; set; }
        /// <summary>
        /// Hazardous Material Classification
        /// </summary>
        [DataMember]
        [StringLength(1, 30)]
        [DataElement("274", typeof(X12_AN))]
        [Pos(2)]
        public string HazardousMaterialClassification_02 { get; set; }
    }
[Segment("H3")]
    public class H3 : I_H3
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// Special Handling Code
        /// </summary>
        [DataMember]
        [Exclusion(2)]
        [DataElement("152", typeof(X12_ID_152))]
        [Pos(1)]
        public string SpecialHandlingCode_01 { get; set; }
        /// <summary>
        /// Special Handling Description
        /// </summary>
        [DataMember]
        [StringLength(2, 30)]
        [DataElement("153", typeof(X12_AN))]
        [Pos(2)]
        public string SpecialHandlingDescription_02 { get; set; }
        /// <summary>
        /// Protective Service Code
        /// </summary>
        [DataMember]
        [DataElement("241", typeof(X12_ID_241))]
        [Pos(3)]
        public string ProtectiveServiceCode_03 { get; set; }
        /// <summary>
        /// Vent Instruction Code
        /// </summary>
        [DataMember]
        [DataElement("242", typeof(X12_ID_242))]
        [Pos(4)]
        public string VentInstructionCode_04 { get; set; }
        /// <summary>
        /// Tariff Application Code
        /// </summary>
        [DataMember]
        [DataElement("257", typeof(X12_ID_257))]
        [Pos(5)]
        public string TariffApplicationCode_05 { get; set; }
    }
[Segment("H6")]
    public class H6 : I_H6
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// Special Services Code
        /// </summary>
        [DataMember]
        [RequiredAny(7)]
        [DataElement("560", typeof(X12_ID_560))]
        [Pos(1)]
        public string SpecialServicesCode_01 { get; set; }
        /// <summary>
        /// Special Services Code
        /// </summary>
        [DataMember]
        [Conditional(1)]
        [DataElement("560", typeof(X12_ID_560))]
        [Pos(2)]
        public string SpecialServicesCode_02 { get; set; }
        /// <summary>
        /// Quantity of Pallets Shipped
        /// </summary>
        [DataMember]
        [StringLength(1, 3)]
        [DataElement("406", typeof(X12_N0))]
        [Pos(3)]
        public string QuantityofPalletsShipped_03 { get; set; }
        /// <summary>
        /// Pallet Exchange Code
        /// </summary>
        [DataMember]
        [DataElement("399", typeof(X12_ID_399))]
        [Pos(4)]
        public string PalletExchangeCode_04 { get; set; }
        /// <summary>
        /// Weight
        /// </summary>
        [DataMember]
        [StringLength(1, 10)]
        [DataElement("81", typeof(X12_R))]
        [Pos(5)]
        public string Weight_05 { get; set; }
        /// <summary>
        /// Weight Unit Code
        /// </summary>
        [DataMember]
        [DataElement("188", typeof(X12_ID_188))]
        [Pos(6)]
        public string WeightUnitCode_06 { get; set; }
        /// <summary>
        /// Pick-up or Delivery Code
        /// </summary>
        [DataMember]
        [DataElement("108", typeof(X12_ID_108))]
        [Pos(7)]
        public string PickuporDeliveryCode_07 { get; set; }
    }
[Segment("ITD")]
    public class ITD : I_ITD
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// Terms Type Code
        /// </summary>
        [DataMember]
        [DataElement("336", typeof(X12_ID_336))]
        [Pos(1)]
        public string TermsTypeCode_01 { get; set; }
        /// <summary>
        /// Terms Basis Date Code
        /// </summary>
        [DataMember]
        [DataElement("333", typeof(X12_ID_333))]
        [Pos(2)]
        public string TermsBasisDateCode_02 { get; set; }
        /// <summary>
        /// Terms Discount Percent
        /// </summary>
        [DataMember]
        [ConditionalAny(4, 5, 13)]
        [StringLength(1, 6)]
        [DataElement("338", typeof(X12_R))]
        [Pos(3)]
        public string TermsDiscountPercent_03 { get; set; }
        /// <summary>
        /// Terms Discount Due Date
        /// </summary>
        [DataMember]
        [StringLength(8, 8)]
        [DataElement("370", typeof(X12_DT))]
        [Pos(4)]
        public string TermsDiscountDueDate_04 { get; set; }
        /// <summary>
        /// Terms Discount Days Due
        /// </summary>
        [DataMember]
        [StringLength(1, 3)]
        [DataElement("351", typeof(X12_N0))]
        [Pos(5)]
        public string TermsDiscountDaysDue_05 { get; set; }
        /// <summary>
        /// Terms Net Due Date
        /// </summary>
        [DataMember]
        [StringLength(8, 8)]
        [DataElement("446", typeof(X12_DT))]
        [Pos(6)]
        public string TermsNetDueDate_06 { get; set; }
        /// <summary>
        /// Terms Net Days
        /// </summary>
        [DataMember]
        [StringLength(1, 3)]
        [DataElement("386", typeof(X12_N0))]
        [Pos(7)]
        public string TermsNetDays_07 { get; set; }
        /// <summary>
        /// Terms Discount Amount
        /// </summary>
        [DataMember]
        [ConditionalAny(4, 5, 13)]
        [StringLength(1, 10)]
        [DataElement("362", typeof(X12_N2))]
        [Pos(8)]
        public string TermsDiscountAmount_08 { get; set; }
        /// <summary>
        /// Terms Deferred Due Date
        /// </summary>
        [DataMember]
        [ConditionalAny(10, 11)]
        [StringLength(8, 8)]
        [DataElement("388", typeof(X12_DT))]
        [Pos(9)]
        public string TermsDeferredDueDate_09 { get; set; }
        /// <summary>
        /// Deferred Amount Due
        /// </summary>
        [DataMember]
        [StringLength(1, 10)]
        [DataElement("389", typeof(X12_N2))]
        [Pos(10)]
        public string DeferredAmountDue_10 { get; set; }
        /// <summary>
        /// Percent of Invoice Payable
        /// </summary>
        [DataMember]
        [StringLength(1, 5)]
        [DataElement("342", typeof(X12_R))]
        [Pos(11)]
        public string PercentofInvoicePayable_11 { get; set; }
        /// <summary>
        /// Description
        /// </summary>
        [DataMember]
        [StringLength(1, 80)]
        [DataElement("352", typeof(X12_AN))]
        [Pos(12)]
        public string Description_12 { get; set; }
        /// <summary>
        /// Day of Month
        /// </summary>
        [DataMember]
        [StringLength(1, 2)]
        [DataElement("765", typeof(X12_N0))]
        [Pos(13)]
        public string DayofMonth_13 { get; set; }
        /// <summary>
        /// Payment Method Code
        /// </summary>
        [DataMember]
        [DataElement("107", typeof(X12_ID_107))]
        [Pos(14)]
        public string PaymentMethodCode_14 { get; set; }
        /// <summary>
        /// Percent
        /// </summary>
        [DataMember]
        [StringLength(1, 10)]
        [DataElement("954", typeof(X12_R))]
        [Pos(15)]
        public string Percent_15 { get; set; }
    }
[Segment("K1")]
    public class K1 : I_K1
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// Free-Form Message
        /// </summary>
        [DataMember]
        [Required]
        [StringLength(1, 30)]
        [DataElement("61", typeof(X12_AN))]
        [Pos(1)]
        public string FreeFormMessage_01 { get; set; }
        /// <summary>
        /// Free-Form Message
        /// </summary>
        [DataMember]
        [StringLength(1, 30)]
        [DataElement("61", typeof(X12_AN))]
        [Pos(2)]
        public string FreeFormMessage_02 { get; set; }
    }
[Segment("L0")]
    public class L0 : I_L0
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// Lading Line Item Number
        /// </summary>
        [DataMember]
        [StringLength(1, 3)]
        [DataElement("213", typeof(X12_N0))]
        [Pos(1)]
        public string LadingLineItemNumber_01 { get; set; }
        /// <summary>
        /// Billed/Rated-as Quantity
        /// </summary>
        [DataMember]
        [Paired(3)]
        [StringLength(1, 11)]
        [DataElement("220", typeof(X12_R))]
        [Pos(2)]
        public string BilledRatedasQuantity_02 { get; set; }
        /// <summary>
        /// Billed/Rated-as Qualifier
        /// </summary>
        [DataMember]
        [DataElement("221", typeof(X12_ID_221))]
        [Pos(3)]
        public string BilledRatedasQualifier_03 { get; set; }
        /// <summary>
        /// Weight
        /// </summary>
        [DataMember]
        [Paired(5)]
        [StringLength(1, 10)]
        [DataElement("81", typeof(X12_R))]
        [Pos(4)]
        public string Weight_04 { get; set; }
        /// <summary>
        /// Weight Qualifier
        /// </summary>
        [DataMember]
        [DataElement("187", typeof(X12_ID_187))]
        [Pos(5)]
        public string WeightQualifier_05 { get; set; }
        /// <summary>
        /// Volume
        /// </summary>
        [DataMember]
        [Paired(7)]
        [StringLength(1, 8)]
        [DataElement("183", typeof(X12_R))]
        [Pos(6)]
        public string Volume_06 { get; set; }
        /// <summary>
        /// Volume Unit Qualifier
        /// </summary>
        [DataMember]
        [DataElement("184", typeof(X12_ID_184))]
        [Pos(7)]
        public string VolumeUnitQualifier_07 { get; set; }
        /// <summary>
        /// Lading Quantity
        /// </summary>
        [DataMember]
        [Paired(9)]
        [StringLength(1, 7)]
        [DataElement("80", typeof(X12_N0))]
        [Pos(8)]
        public string LadingQuantity_08 { get; set; }
        /// <summary>
        /// Packaging Form Code
        /// </summary>
        [DataMember]
        [DataElement("211", typeof(X12_ID_211))]
        [Pos(9)]
        public string PackagingFormCode_09 { get; set; }
        /// <summary>
        /// Dunnage Description
        /// </summary>
        [DataMember]
        [StringLength(2, 25)]
        [DataElement("458", typeof(X12_AN))]
        [Pos(10)]
        public string DunnageDescription_10 { get; set; }
        /// <summary>
        /// Weight Unit Code
        /// </summary>
        [DataMember]
        [Conditional(4)]
        [DataElement("188", typeof(X12_ID_188))]
        [Pos(11)]
        public string WeightUnitCode_11 { get; set; }
        /// <summary>
        /// Type of Service Code
        /// </summary>
        [DataMember]
        [DataElement("56", typeof(X12_ID_56))]
        [Pos(12)]
        public string TypeofServiceCode_12 { get; set; }
        /// <summary>
        /// Quantity
        /// </summary>
        [DataMember]
        [Paired(15)]
        [StringLength(1, 15)]
        [DataElement("380", typeof(X12_R))]
        [Pos(13)]
        public string Quantity_13 { get; set; }
        /// <summary>
        /// Packaging Form Code
        /// </summary>
        [DataMember]
        [DataElement("211", typeof(X12_ID_211))]
        [Pos(14)]
        public string PackagingFormCode_14 { get; set; }
        /// <summary>
        /// Yes/No Condition or Response Code
        /// </summary>
        [DataMember]
        [DataElement("1073", typeof(X12_ID_1073))]
        [Pos(15)]
        public string YesNoConditionorResponseCode_15 { get; set; }
    }
[Segment("L1")]
    public class L1 : I_L1
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// Lading Line Item Number
        /// </summary>
        [DataMember]
        [StringLength(1, 3)]
        [DataElement("213", typeof(X12_N0))]
        [Pos(1)]
        public string LadingLineItemNumber_01 { get; set; }
        /// <summary>
        /// Freight Rate
        /// </summary>
        [DataMember]
        [Paired(3)]
        [StringLength(1, 9)]
        [DataElement("60", typeof(X12_R))]
        [Pos(2)]
        public string FreightRate_02 { get; set; }
        /// <summary>
        /// Rate/Value Qualifier
        /// </summary>
        [DataMember]
        [DataElement("122", typeof(X12_ID_122))]
        [Pos(3)]
        public string RateValueQualifier_03 { get; set; }
        /// <summary>
        /// Charge
        /// </summary>
        [DataMember]
        [RequiredAny(5, 6)]
        [StringLength(1, 12)]
        [DataElement("58", typeof(X12_N2))]
        [Pos(4)]
        public string Charge_04 { get; set; }
        /// <summary>
        /// Advances
        /// </summary>
        [DataMember]
        [StringLength(1, 9)]
        [DataElement("191", typeof(X12_N2))]
        [Pos(5)]
        public string Advances_05 { get; set; }
        /// <summary>
        /// Prepaid Amount
        /// </summary>
        [DataMember]
        [StringLength(1, 9)]
        [DataElement("117", typeof(X12_N2))]
        [Pos(6)]
        public string PrepaidAmount_06 { get; set; }
        /// <summary>
        /// Rate Combination Point Code
        /// </summary>
        [DataMember]
        [StringLength(3, 9)]
        [DataElement("120", typeof(X12_AN))]
        [Pos(7)]
        public string RateCombinationPointCode_07 { get; set; }
        /// <summary>
        /// Special Charge or Allowance Code
        /// </summary>
        [DataMember]
        [DataElement("150", typeof(X12_ID_150))]
        [Pos(8)]
        public string SpecialChargeorAllowanceCode_08 { get; set; }
        /// <summary>
        /// Rate Class Code
        /// </summary>
        [DataMember]
        [DataElement("121", typeof(X12_ID_121))]
        [Pos(9)]
        public string RateClassCode_09 { get; set; }
        /// <summary>
        /// Entitlement Code
        /// </summary>
        [DataMember]
        [DataElement("39", typeof(X12_ID_39))]
        [Pos(10)]
        public string EntitlementCode_10 { get; set; }
        /// <summary>
        /// Charge Method of Payment
        /// </summary>
        [DataMember]
        [DataElement("16", typeof(X12_ID_16))]
        [Pos(11)]
        public string ChargeMethodofPayment_11 { get; set; }
        /// <summary>
        /// Special Charge Description
        /// </summary>
        [DataMember]
        [StringLength(2, 25)]
        [DataElement("276", typeof(X12_AN))]
        [Pos(12)]
        public string SpecialChargeDescription_12 { get; set; }
        /// <summary>
        /// Tariff Application Code
        /// </summary>
        [DataMember]
        [DataElement("257", typeof(X12_ID_257))]
        [Pos(13)]
        public string TariffApplicationCode_13 { get; set; }
        /// <summary>
        /// Declared Value
        /// </summary>
        [DataMember]
        [Paired(15)]
        [StringLength(2, 12)]
        [DataElement("74", typeof(X12_N2))]
        [Pos(14)]
        public string DeclaredValue_14 { get; set; }
        /// <summary>
        /// Rate/Value Qualifier
        /// </summary>
        [DataMember]
        [DataElement("122", typeof(X12_ID_122))]
        [Pos(15)]
        public string RateValueQualifier_15 { get; set; }
        /// <summary>
        /// Lading Liability Code
        /// </summary>
        [DataMember]
        [DataElement("372", typeof(X12_ID_372))]
        [Pos(16)]
        public string LadingLiabilityCode_16 { get; set; }
        /// <summary>
        /// Billed/Rated-as Quantity
        /// </summary>
        [DataMember]
        [Paired(18)]
        [StringLength(1, 11)]
        [DataElement("220", typeof(X12_R))]
        [Pos(17)]
        public string BilledRatedasQuantity_17 { get; set; }
        /// <summary>
        /// Billed/Rated-as Qualifier
        /// </summary>
        [DataMember]
        [DataElement("221", typeof(X12_ID_221))]
        [Pos(18)]
        public string BilledRatedasQualifier_18 { get; set; }
        /// <summary>
        /// Percent
        /// </summary>
        [DataMember]
        [StringLength(1, 10)]
        [DataElement("954", typeof(X12_R))]
        [Pos(19)]
        public string Percent_19 { get; set; }
        /// <summary>
        /// Currency Code
        /// </summary>
        [DataMember]
        [StringLength(3, 3)]
        [DataElement("100", typeof(X12_AN))]
        [Pos(20)]
        public string CurrencyCode_20 { get; set; }
        /// <summary>
        /// Amount
        /// </summary>
        [DataMember]
        [StringLength(1, 15)]
        [DataElement("610", typeof(X12_N2))]
        [Pos(21)]
        public string Amount_21 { get; set; }
    }
[Segment("L11")]
    public class L11 : I_L11
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// Reference Identification
        /// </summary>
        [DataMember]
        [RequiredAny(3)]
        [Paired(2)]
        [StringLength(1, 30)]
        [DataElement("127", typeof(X12_AN))]
        [Pos(1)]
        public string ReferenceIdentification_01 { get; set; }
        /// <summary>
        /// Reference Identification Qualifier
        /// </summary>
        [DataMember]
        [DataElement("128", typeof(X12_ID_128))]
        [Pos(2)]
        public string ReferenceIdentificationQualifier_02 { get; set; }
        /// <summary>
        /// Description
        /// </summary>
        [DataMember]
        [StringLength(1, 80)]
        [DataElement("352", typeof(X12_AN))]
        [Pos(3)]
        public string Description_03 { get; set; }
    }
[Segment("L3")]
    public class L3 : I_L3
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// Weight
        /// </summary>
        [DataMember]
        [Paired(2)]
        [StringLength(1, 10)]
        [DataElement("81", typeof(X12_R))]
        [Pos(1)]
        public string Weight_01 { get; set; }
        /// <summary>
        /// Weight Qualifier
        /// </summary>
        [DataMember]
        [DataElement("187", typeof(X12_ID_187))]
        [Pos(2)]
        public string WeightQualifier_02 { get; set; }
        /// <summary>
        /// Freight Rate
        /// </summary>
        [DataMember]
        [Paired(4)]
        [StringLength(1, 9)]
        [DataElement("60", typeof(X12_R))]
        [Pos(3)]
        public string FreightRate_03 { get; set; }
        /// <summary>
        /// Rate/Value Qualifier
        /// </summary>
        [DataMember]
        [DataElement("122", typeof(X12_ID_122))]
        [Pos(4)]
        public string RateValueQualifier_04 { get; set; }
        /// <summary>
        /// Charge
        /// </summary>
        [DataMember]
        [StringLength(1, 12)]
        [DataElement("58", typeof(X12_N2))]
        [Pos(5)]
        public string Charge_05 { get; set; }
        /// <summary>
        /// Advances
        /// </summary>
        [DataMember]
        [StringLength(1, 9)]
        [DataElement("191", typeof(X12_N2))]
        [Pos(6)]
        public string Advances_06 { get; set; }
        /// <summary>
        /// Prepaid Amount
        /// </summary>
        [DataMember]
        [StringLength(1, 9)]
        [DataElement("117", typeof(X12_N2))]
        [Pos(7)]
        public string PrepaidAmount_07 { get; set; }
        /// <summary>
        /// Special Charge or Allowance Code
        /// </summary>
        [DataMember]
        [DataElement("150", typeof(X12_ID_150))]
        [Pos(8)]
        public string SpecialChargeorAllowanceCode_08 { get; set; }
        /// <summary>
        /// Volume
        /// </summary>
        [DataMember]
        [Paired(10)]
        [StringLength(1, 8)]
        [DataElement("183", typeof(X12_R))]
        [Pos(9)]
        public string Volume_09 { get; set; }
        /// <summary>
        /// Volume Unit Qualifier
        /// </summary>
        [DataMember]
        [DataElement("184", typeof(X12_ID_184))]
        [Pos(10)]
        public string VolumeUnitQualifier_10 { get; set; }
        /// <summary>
        /// Lading Quantity
        /// </summary>
        [DataMember]
        [StringLength(1, 7)]
        [DataElement("80", typeof(X12_N0))]
        [Pos(11)]
        public string LadingQuantity_11 { get; set; }
        /// <summary>
        /// Weight Unit Code
        /// </summary>
        [DataMember]
        [Conditional(1)]
        [DataElement("188", typeof(X12_ID_188))]
        [Pos(12)]
        public string WeightUnitCode_12 { get; set; }
        /// <summary>
        /// Tariff Number
        /// </summary>
        [DataMember]
        [StringLength(1, 7)]
        [DataElement("171", typeof(X12_AN))]
        [Pos(13)]
        public string TariffNumber_13 { get; set; }
        /// <summary>
        /// Declared Value
        /// </summary>
        [DataMember]
        [Paired(15)]
        [StringLength(2, 12)]
        [DataElement("74", typeof(X12_N2))]
        [Pos(14)]
        public string DeclaredValue_14 { get; set; }
        /// <summary>
        /// Rate/Value Qualifier
        /// </summary>
        [DataMember]
        [DataElement("122", typeof(X12_ID_122))]
        [Pos(15)]
        public string RateValueQualifier_15 { get; set; }
    }
[Segment("L4")]
    public class L4 : I_L4
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// Length
        /// </summary>
        [DataMember]
        [Required]
        [StringLength(1, 8)]
        [DataElement("82", typeof(X12_R))]
        [Pos(1)]
        public string Length_01 { get; set; }
        /// <summary>
        /// Width
        /// </summary>
        [DataMember]
        [Required]
        [StringLength(1, 8)]
        [DataElement("189", typeof(X12_R))]
        [Pos(2)]
        public string Width_02 { get; set; }
        /// <summary>
        /// Height
        /// </summary>
        [DataMember]
        [Required]
        [StringLength(1, 8)]
        [DataElement("65", typeof(X12_R))]
        [Pos(3)]
        public string Height_03 { get; set; }
        /// <summary>
        /// Measurement Unit Qualifier
        /// </summary>
        [DataMember]
        [Required]
        [DataElement("90", typeof(X12_ID_90))]
        [Pos(4)]
        public string MeasurementUnitQualifier_04 { get; set; }
        /// <summary>
        /// Quantity
        /// </summary>
        [DataMember]
        [StringLength(1, 15)]
        [DataElement("380", typeof(X12_R))]
        [Pos(5)]
        public string Quantity_05 { get; set; }
        /// <summary>
        /// Industry Code
        /// </summary>
        [DataMember]
        [StringLength(1, 30)]
        [DataElement("1271", typeof(X12_AN))]
        [Pos(6)]
        public string IndustryCode_06 { get; set; }
    }
[Segment("L5")]
    public class L5 : I_L5
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// Lading Line Item Number
        /// </summary>
        [DataMember]
        [StringLength(1, 3)]
        [DataElement("213", typeof(X12_N0))]
        [Pos(1)]
        public string LadingLineItemNumber_01 { get; set; }
        /// <summary>
        /// Lading Description
        /// </summary>
        [DataMember]
        [StringLength(1, 50)]
        [DataElement("79", typeof(X12_AN))]
        [Pos(2)]
        public string LadingDescription_02 { get; set; }
        /// <summary>
        /// Commodity Code
        /// </summary>
        [DataMember]
        [Paired(4)]
        [StringLength(1, 30)]
        [DataElement("22", typeof(X12_AN))]
        [Pos(3)]
        public string CommodityCode_03 { get; set; }
        /// <summary>
        /// Commodity Code Qualifier
        /// </summary>
        [DataMember]
        [DataElement("23", typeof(X12_ID_23))]
        [Pos(4)]
        public string CommodityCodeQualifier_04 { get; set; }
        /// <summary>
        /// Packaging Code
        /// </summary>
        [DataMember]
        [StringLength(3, 5)]
        [DataElement("103", typeof(X12_AN))]
        [Pos(5)]
        public string PackagingCode_05 { get; set; }
        /// <summary>
        /// Marks and Numbers
        /// </summary>
        [DataMember]
        [StringLength(1, 48)]
        [DataElement("87", typeof(X12_AN))]
        [Pos(6)]
        public string MarksandNumbers_06 { get; set; }
        /// <summary>
        /// Marks and Numbers Qualifier
        /// </summary>
        [DataMember]
        [Conditional(6)]
        [DataElement("88", typeof(X12_ID_88))]
        [Pos(7)]
        public string MarksandNumbersQualifier_07 { get; set; }
        /// <summary>
        /// Commodity Code Qualifier
        /// </summary>
        [DataMember]
        [Paired(9)]
        [DataElement("23", typeof(X12_ID_23))]
        [Pos(8)]
        public string CommodityCodeQualifier_08 { get; set; }
        /// <summary>
        /// Commodity Code
        /// </summary>
        [DataMember]
        [StringLength(1, 30)]
        [DataElement("22", typeof(X12_AN))]
        [Pos(9)]
        public string CommodityCode_09 { get; set; }
        /// <summary>
        /// Compartment ID Code
        /// </summary>
        [DataMember]
        [DataElement("595", typeof(X12_ID_595))]
        [Pos(10)]
        public string CompartmentIDCode_10 { get; set; }
    }
[Segment("L7")]
    public class L7 : I_L7
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// Lading Line Item Number
        /// </summary>
        [DataMember]
        [StringLength(1, 3)]
        [DataElement("213", typeof(X12_N0))]
        [Pos(1)]
        public string LadingLineItemNumber_01 { get; set; }
        /// <summary>
        /// Tariff Agency Code
        /// </summary>
        [DataMember]
        [StringLength(1, 4)]
        [DataElement("168", typeof(X12_AN))]
        [Pos(2)]
        public string TariffAgencyCode_02 { get; set; }
        /// <summary>
        /// Tariff Number
        /// </summary>
        [DataMember]
        [StringLength(1, 7)]
        [DataElement("171", typeof(X12_AN))]
        [Pos(3)]
        public string TariffNumber_03 { get; set; }
        /// <summary>
        /// Tariff Section
        /// </summary>
        [DataMember]
        [StringLength(1, 2)]
        [DataElement("172", typeof(X12_AN))]
        [Pos(4)]
        public string TariffSection_04 { get; set; }
        /// <summary>
        /// Tariff Item Number
        /// </summary>
        [DataMember]
        [StringLength(1, 16)]
        [DataElement("169", typeof(X12_AN))]
        [Pos(5)]
        public string TariffItemNumber_05 { get; set; }
        /// <summary>
        /// Tariff Item Part
        /// </summary>
        [DataMember]
        [StringLength(1, 2)]
        [DataElement("170", typeof(X12_N0))]
        [Pos(6)]
        public string TariffItemPart_06 { get; set; }
        /// <summary>
        /// Freight Class Code
        /// </summary>
        [DataMember]
        [StringLength(2, 5)]
        [DataElement("59", typeof(X12_AN))]
        [Pos(7)]
        public string FreightClassCode_07 { get; set; }
        /// <summary>
        /// Tariff Supplement Identifier
        /// </summary>
        [DataMember]
        [StringLength(1, 4)]
        [DataElement("173", typeof(X12_AN))]
        [Pos(8)]
        public string TariffSupplementIdentifier_08 { get; set; }
        /// <summary>
        /// Ex Parte
        /// </summary>
        [DataMember]
        [StringLength(4, 4)]
        [DataElement("46", typeof(X12_AN))]
        [Pos(9)]
        public string ExParte_09 { get; set; }
        /// <summary>
        /// Date
        /// </summary>
        [DataMember]
        [StringLength(8, 8)]
        [DataElement("373", typeof(X12_DT))]
        [Pos(10)]
        public string Date_10 { get; set; }
        /// <summary>
        /// Rate Basis Number
        /// </summary>
        [DataMember]
        [StringLength(1, 6)]
        [DataElement("119", typeof(X12_AN))]
        [Pos(11)]
        public string RateBasisNumber_11 { get; set; }
        /// <summary>
        /// Tariff Column
        /// </summary>
        [DataMember]
        [StringLength(1, 2)]
        [DataElement("227", typeof(X12_AN))]
        [Pos(12)]
        public string TariffColumn_12 { get; set; }
        /// <summary>
        /// Tariff Distance
        /// </summary>
        [DataMember]
        [StringLength(1, 5)]
        [DataElement("294", typeof(X12_N0))]
        [Pos(13)]
        public string TariffDistance_13 { get; set; }
        /// <summary>
        /// Distance Qualifier
        /// </summary>
        [DataMember]
        [DataElement("295", typeof(X12_ID_295))]
        [Pos(14)]
        public string DistanceQualifier_14 { get; set; }
        /// <summary>
        /// City Name
        /// </summary>
        [DataMember]
        [StringLength(2, 30)]
        [DataElement("19", typeof(X12_AN))]
        [Pos(15)]
        public string CityName_15 { get; set; }
        /// <summary>
        /// State or Province Code
        /// </summary>
        [DataMember]
        [StringLength(2, 2)]
        [DataElement("156", typeof(X12_AN))]
        [Pos(16)]
        public string StateorProvinceCode_16 { get; set; }
    }
[Segment("L9")]
    public class L9 : I_L9
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// Special Charge or Allowance Code
        /// </summary>
        [DataMember]
        [Required]
        [DataElement("150", typeof(X12_ID_150))]
        [Pos(1)]
        public string SpecialChargeorAllowanceCode_01 { get; set; }
        /// <summary>
        /// Monetary Amount
        /// </summary>
        [DataMember]
        [Required]
        [StringLength(1, 18)]
        [DataElement("782", typeof(X12_R))]
        [Pos(2)]
        public string MonetaryAmount_02 { get; set; }
    }
[Segment("LAD")]
    public class LAD : I_LAD
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// Packaging Form Code
        /// </summary>
        [DataMember]
        [Paired(2)]
        [DataElement("211", typeof(X12_ID_211))]
        [Pos(1)]
        public string PackagingFormCode_01 { get; set; }
        /// <summary>
        /// Lading Quantity
        /// </summary>
        [DataMember]
        [StringLength(1, 7)]
        [DataElement("80", typeof(X12_N0))]
        [Pos(2)]
        public string LadingQuantity_02 { get; set; }
        /// <summary>
        /// Weight Unit Code
        /// </summary>
        [DataMember]
        [Paired(4)]
        [DataElement("188", typeof(X12_ID_188))]
        [Pos(3)]
        public string WeightUnitCode_03 { get; set; }
        /// <summary>
        /// Unit Weight
        /// </summary>
        [DataMember]
        [StringLength(1, 8)]
        [DataElement("395", typeof(X12_R))]
        [Pos(4)]
        public string UnitWeight_04 { get; set; }
        /// <summary>
        /// Weight Unit Code
        /// </summary>
        [DataMember]
        [Paired(6)]
        [DataElement("188", typeof(X12_ID_188))]
        [Pos(5)]
        public string WeightUnitCode_05 { get; set; }
        /// <summary>
        /// Weight
        /// </summary>
        [DataMember]
        [StringLength(1, 10)]
        [DataElement("81", typeof(X12_R))]
        [Pos(6)]
        public string Weight_06 { get; set; }
        /// <summary>
        /// Product/Service ID Qualifier
        /// </summary>
        [DataMember]
        [Paired(8)]
        [DataElement("235", typeof(X12_ID_235))]
        [Pos(7)]
        public string ProductServiceIDQualifier_07 { get; set; }
        /// <summary>
        /// Product/Service ID
        /// </summary>
        [DataMember]
        [StringLength(1, 48)]
        [DataElement("234", typeof(X12_AN))]
        [Pos(8)]
        public string ProductServiceID_08 { get; set; }
        /// <summary>
        /// Product/Service ID Qualifier
        /// </summary>
        [DataMember]
        [Paired(10)]
        [DataElement("235", typeof(X12_ID_235))]
        [Pos(9)]
        public string ProductServiceIDQualifier_09 { get; set; }
        /// <summary>
        /// Product/Service ID
        /// </summary>
        [DataMember]
        [StringLength(1, 48)]
        [DataElement("234", typeof(X12_AN))]
        [Pos(10)]
        public string ProductServiceID_10 { get; set; }
        /// <summary>
        /// Product/Service ID Qualifier
        /// </summary>
        [DataMember]
        [Paired(12)]
        [DataElement("235", typeof(X12_ID_235))]
        [Pos(11)]
        public string ProductServiceIDQualifier_11 { get; set; }
        /// <summary>
        /// Product/Service ID
        /// </summary>
        [DataMember]
        [StringLength(1, 48)]
        [DataElement("234", typeof(X12_AN))]
        [Pos(12)]
        public string ProductServiceID_12 { get; set; }
        /// <summary>
        /// Lading Description
        /// </summary>
        [DataMember]
        [StringLength(1, 50)]
        [DataElement("79", typeof(X12_AN))]
        [Pos(13)]
        public string LadingDescription_13 { get; set; }
    }
[Segment("LEP")]
    public class LEP : I_LEP
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// EPA Waste Stream Number Code
        /// </summary>
        [DataMember]
        [StringLength(4, 6)]
        [DataElement("806", typeof(X12_AN))]
        [Pos(1)]
        public string EPAWasteStreamNumberCode_01 { get; set; }
        /// <summary>
        /// Waste Characteristics Code
        /// </summary>
        [DataMember]
        [StringLength(12, 16)]
        [DataElement("807", typeof(X12_AN))]
        [Pos(2)]
        public string WasteCharacteristicsCode_02 { get; set; }
        /// <summary>
        /// State or Province Code
        /// </summary>
        [DataMember]
        [Paired(4)]
        [StringLength(2, 2)]
        [DataElement("156", typeof(X12_AN))]
        [Pos(3)]
        public string StateorProvinceCode_03 { get; set; }
        /// <summary>
        /// Reference Identification
        /// </summary>
        [DataMember]
        [StringLength(1, 30)]
        [DataElement("127", typeof(X12_AN))]
        [Pos(4)]
        public string ReferenceIdentification_04 { get; set; }
    }
[Segment("LFH")]
    public class LFH : I_LFH
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// Hazardous Material Shipment Information Qualifier
        /// </summary>
        [DataMember]
        [Required]
        [DataElement("808", typeof(X12_ID_808))]
        [Pos(1)]
        public string HazardousMaterialShipmentInformationQualifier_01 { get; set; }
        /// <summary>
        /// Hazardous Material Shipment Information
        /// </summary>
        [DataMember]
        [Required]
        [StringLength(1, 25)]
        [DataElement("809", typeof(X12_AN))]
        [Pos(2)]
        public string HazardousMaterialShipmentInformation_02 { get; set; }
        /// <summary>
        /// Hazardous Material Shipment Information
        /// </summary>
        [DataMember]
        [StringLength(1, 25)]
        [DataElement("809", typeof(X12_AN))]
        [Pos(3)]
        public string HazardousMaterialShipmentInformation_03 { get; set; }
        /// <summary>
        /// Hazard Zone Code
        /// </summary>
        [DataMember]
        [DataElement("1023", typeof(X12_ID_1023))]
        [Pos(4)]
        public string HazardZoneCode_04 { get; set; }
        /// <summary>
        /// Unit or Basis for Measurement Code
        /// </summary>
        [DataMember]
        [Paired(6)]
        [DataElement("355", typeof(X12_ID_355))]
        [Pos(5)]
        public string UnitorBasisforMeasurementCode_05 { get; set; }
        /// <summary>
        /// Quantity
        /// </summary>
        [DataMember]
        [StringLength(1, 15)]
        [DataElement("380", typeof(X12_R))]
        [Pos(6)]
        public string Quantity_06 { get; set; }
        /// <summary>
        /// Quantity
        /// </summary>
        [DataMember]
        [StringLength(1, 15)]
        [DataElement("380", typeof(X12_R))]
        [Pos(7)]
        public string Quantity_07 { get; set; }
    }
[Segment("LH1")]
    public class LH1 : I_LH1
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// Unit or Basis for Measurement Code
        /// </summary>
        [DataMember]
        [Required]
        [DataElement("355", typeof(X12_ID_355))]
        [Pos(1)]
        public string UnitorBasisforMeasurementCode_01 { get; set; }
        /// <summary>
        /// Lading Quantity
        /// </summary>
        [DataMember]
        [Required]
        [StringLength(1, 7)]
        [DataElement("80", typeof(X12_N0))]
        [Pos(2)]
        public string LadingQuantity_02 { get; set; }
        /// <summary>
        /// UN/NA Identification Code
        /// </summary>
        [DataMember]
        [StringLength(6, 6)]
        [DataElement("277", typeof(X12_AN))]
        [Pos(3)]
        public string UNNAIdentificationCode_03 { get; set; }
        /// <summary>
        /// Hazardous Materials Page
        /// </summary>
        [DataMember]
        [StringLength(1, 6)]
        [DataElement("200", typeof(X12_AN))]
        [Pos(4)]
        public string HazardousMaterialsPage_04 { get; set; }
        /// <summary>
        /// Commodity Code
        /// </summary>
        [DataMember]
        [StringLength(1, 30)]
        [DataElement("22", typeof(X12_AN))]
        [Pos(5)]
        public string CommodityCode_05 { get; set; }
        /// <summary>
        /// Unit or Basis for Measurement Code
        /// </summary>
        [DataMember]
        [DataElement("355", typeof(X12_ID_355))]
        [Pos(6)]
        public string UnitorBasisforMeasurementCode_06 { get; set; }
        /// <summary>
        /// Quantity
        /// </summary>
        [DataMember]
        [StringLength(1, 15)]
        [DataElement("380", typeof(X12_R))]
        [Pos(7)]
        public string Quantity_07 { get; set; }
        /// <summary>
        /// Compartment ID Code
        /// </summary>
        [DataMember]
        [DataElement("595", typeof(X12_ID_595))]
        [Pos(8)]
        public string CompartmentIDCode_08 { get; set; }
        /// <summary>
        /// Residue Indicator Code
        /// </summary>
        [DataMember]
        [DataElement("665", typeof(X12_ID_665))]
        [Pos(9)]
        public string ResidueIndicatorCode_09 { get; set; }
        /// <summary>
        /// Packing Group Code
        /// </summary>
        [DataMember]
        [StringLength(1, 3)]
        [DataElement("254", typeof(X12_AN))]
        [Pos(10)]
        public string PackingGroupCode_10 { get; set; }
        /// <summary>
        /// Interim Hazardous Material Regulatory Number
        /// </summary>
        [DataMember]
        [StringLength(1, 5)]
        [DataElement("1375", typeof(X12_AN))]
        [Pos(11)]
        public string InterimHazardousMaterialRegulatoryNumber_11 { get; set; }
    }
[Segment("LH2")]
    public class LH2 : I_LH2
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// Hazardous Classification
        /// </summary>
        [DataMember]
        [StringLength(1, 30)]
        [DataElement("215", typeof(X12_AN))]
        [Pos(1)]
        public string HazardousClassification_01 { get; set; }
        /// <summary>
        /// Hazardous Class Qualifier
        /// </summary>
        [DataMember]
        [DataElement("983", typeof(X12_ID_983))]
        [Pos(2)]
        public string HazardousClassQualifier_02 { get; set; }
        /// <summary>
        /// Hazardous Placard Notation
        /// </summary>
        [DataMember]
        [StringLength(14, 40)]
        [DataElement("218", typeof(X12_AN))]
        [Pos(3)]
        public string HazardousPlacardNotation_03 { get; set; }
        /// <summary>
        /// Hazardous Endorsement
        /// </summary>
        [DataMember]
        [StringLength(4, 25)]
        [DataElement("222", typeof(X12_AN))]
        [Pos(4)]
        public string HazardousEndorsement_04 { get; set; }
        /// <summary>
        /// Reportable Quantity Code
        /// </summary>
        [DataMember]
        [DataElement("759", typeof(X12_ID_759))]
        [Pos(5)]
        public string ReportableQuantityCode_05 { get; set; }
        /// <summary>
        /// Unit or Basis for Measurement Code
        /// </summary>
        [DataMember]
        [Paired(7)]
        [DataElement("355", typeof(X12_ID_355))]
        [Pos(6)]
        public string UnitorBasisforMeasurementCode_06 { get; set; }
        /// <summary>
        /// Temperature
        /// </summary>
        [DataMember]
        [StringLength(1, 4)]
        [DataElement("408", typeof(X12_R))]
        [Pos(7)]
        public string Temperature_07 { get; set; }
        /// <summary>
        /// Unit or Basis for Measurement Code
        /// </summary>
        [DataMember]
        [Paired(9)]
        [DataElement("355", typeof(X12_ID_355))]
        [Pos(8)]
        public string UnitorBasisforMeasurementCode_08 { get; set; }
        /// <summary>
        /// Temperature
        /// </summary>
        [DataMember]
        [StringLength(1, 4)]
        [DataElement("408", typeof(X12_R))]
        [Pos(9)]
        public string Temperature_09 { get; set; }
        /// <summary>
        /// Unit or Basis for Measurement Code
        /// </summary>
        [DataMember]
        [Paired(11)]
        [DataElement("355", typeof(X12_ID_355))]
        [Pos(10)]
        public string UnitorBasisforMeasurementCode_10 { get; set; }
        /// <summary>
        /// Temperature
        /// </summary>
        [DataMember]
        [StringLength(1, 4)]
        [DataElement("408", typeof(X12_R))]
        [Pos(11)]
        public string Temperature_11 { get; set; }
    }
[Segment("LH3")]
    public class LH3 : I_LH3
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// Hazardous Material Shipping Name
        /// </summary>
        [DataMember]
        [Paired(2)]
        [StringLength(1, 25)]
        [DataElement("224", typeof(X12_AN))]
        [Pos(1)]
        public string HazardousMaterialShippingName_01 { get; set; }
        /// <summary>
        /// Hazardous Material Shipping Name Qualifier
        /// </summary>
        [DataMember]
        [DataElement("984", typeof(X12_ID_984))]
        [Pos(2)]
        public string HazardousMaterialShippingNameQualifier_02 { get; set; }
        /// <summary>
        /// N.O.S. Indicator Code
        /// </summary>
        [DataMember]
        [DataElement("985", typeof(X12_ID_985))]
        [Pos(3)]
        public string NOSIndicatorCode_03 { get; set; }
        /// <summary>
        /// Yes/No Condition or Response Code
        /// </summary>
        [DataMember]
        [DataElement("1073", typeof(X12_ID_1073))]
        [Pos(4)]
        public string YesNoConditionorResponseCode_04 { get; set; }
    }
[Segment("LH4")]
    public class LH4 : I_LH4
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// Emergency Response Plan Number
        /// </summary>
        [DataMember]
        [StringLength(1, 12)]
        [DataElement("238", typeof(X12_AN))]
        [Pos(1)]
        public string EmergencyResponsePlanNumber_01 { get; set; }
        /// <summary>
        /// Communication Number
        /// </summary>
        [DataMember]
        [StringLength(1, 80)]
        [DataElement("364", typeof(X12_AN))]
        [Pos(2)]
        public string CommunicationNumber_02 { get; set; }
        /// <summary>
        /// Packing Group Code
        /// </summary>
        [DataMember]
        [StringLength(1, 3)]
        [DataElement("254", typeof(X12_AN))]
        [Pos(3)]
        public string PackingGroupCode_03 { get; set; }
        /// <summary>
        /// Subsidiary Classification
        /// </summary>
        [DataMember]
        [StringLength(1, 3)]
        [DataElement("230", typeof(X12_AN))]
        [Pos(4)]
        public string SubsidiaryClassification_04 { get; set; }
        /// <summary>
        /// Subsidiary Classification
        /// </summary>
        [DataMember]
        [StringLength(1, 3)]
        [DataElement("230", typeof(X12_AN))]
        [Pos(5)]
        public string SubsidiaryClassification_05 { get; set; }
        /// <summary>
        /// Subsidiary Classification
        /// </summary>
        [DataMember]
        [StringLength(1, 3)]
        [DataElement("230", typeof(X12_AN))]
        [Pos(6)]
        public string SubsidiaryClassification_06 { get; set; }
        /// <summary>
        /// Subsidiary Risk Indicator
        /// </summary>
        [DataMember]
        [DataElement("271", typeof(X12_ID_271))]
        [Pos(7)]
        public string SubsidiaryRiskIndicator_07 { get; set; }
        /// <summary>
        /// Net Explosive Quantity
        /// </summary>
        [DataMember]
        [Paired(12)]
        [StringLength(1, 6)]
        [DataElement("267", typeof(X12_N0))]
        [Pos(8)]
        public string NetExplosiveQuantity_08 { get; set; }
        /// <summary>
        /// Canadian Hazardous Notation
        /// </summary>
        [DataMember]
        [StringLength(1, 25)]
        [DataElement("805", typeof(X12_AN))]
        [Pos(9)]
        public string CanadianHazardousNotation_09 { get; set; }
        /// <summary>
        /// Special Commodity Indicator Code
        /// </summary>
        [DataMember]
        [DataElement("986", typeof(X12_ID_986))]
        [Pos(10)]
        public string SpecialCommodityIndicatorCode_10 { get; set; }
        /// <summary>
        /// Communication Number
        /// </summary>
        [DataMember]
        [StringLength(1, 80)]
        [DataElement("364", typeof(X12_AN))]
        [Pos(11)]
        public string CommunicationNumber_11 { get; set; }
        /// <summary>
        /// Unit or Basis for Measurement Code
        /// </summary>
        [DataMember]
        [DataElement("355", typeof(X12_ID_355))]
        [Pos(12)]
        public string UnitorBasisforMeasurementCode_12 { get; set; }
    }
[Segment("LH6")]
    public class LH6 : I_LH6
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// Name
        /// </summary>
        [DataMember]
        [StringLength(1, 60)]
        [DataElement("93", typeof(X12_AN))]
        [Pos(1)]
        public string Name_01 { get; set; }
        /// <summary>
        /// Hazardous Certification Code
        /// </summary>
        [DataMember]
        [Paired(3)]
        [DataElement("272", typeof(X12_ID_272))]
        [Pos(2)]
        public string HazardousCertificationCode_02 { get; set; }
        /// <summary>
        /// Hazardous Certification Declaration
        /// </summary>
        [DataMember]
        [StringLength(1, 25)]
        [DataElement("273", typeof(X12_AN))]
        [Pos(3)]
        public string HazardousCertificationDeclaration_03 { get; set; }
        /// <summary>
        /// Hazardous Certification Declaration
        /// </summary>
        [DataMember]
        [StringLength(1, 25)]
        [DataElement("273", typeof(X12_AN))]
        [Pos(4)]
        public string HazardousCertificationDeclaration_04 { get; set; }
    }
[Segment("LHT")]
    public class LHT : I_LHT
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// Hazardous Classification
        /// </summary>
        [DataMember]
        [StringLength(1, 30)]
        [DataElement("215", typeof(X12_AN))]
        [Pos(1)]
        public string HazardousClassification_01 { get; set; }
        /// <summary>
        /// Hazardous Placard Notation
        /// </summary>
        [DataMember]
        [StringLength(14, 40)]
        [DataElement("218", typeof(X12_AN))]
        [Pos(2)]
        public string HazardousPlacardNotation_02 { get; set; }
        /// <summary>
        /// Hazardous Endorsement
        /// </summary>
        [DataMember]
        [StringLength(4, 25)]
        [DataElement("222", typeof(X12_AN))]
        [Pos(3)]
        public string HazardousEndorsement_03 { get; set; }
    }
[Segment("LX")]
    public class LX : I_LX
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// Assigned Number
        /// </summary>
        [DataMember]
        [Required]
        [StringLength(1, 6)]
        [DataElement("554", typeof(X12_N0))]
        [Pos(1)]
        public string AssignedNumber_01 { get; set; }
    }
[Segment("M7")]
    public class M7 : I_M7
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// Seal Number
        /// </summary>
        [DataMember]
        [Required]
        [StringLength(2, 15)]
        [DataElement("225", typeof(X12_AN))]
        [Pos(1)]
        public string SealNumber_01 { get; set; }
        /// <summary>
        /// Seal Number
        /// </summary>
        [DataMember]
        [StringLength(2, 15)]
        [DataElement("225", typeof(X12_AN))]
        [Pos(2)]
        public string SealNumber_02 { get; set; }
        /// <summary>
        /// Seal Number
        /// </summary>
        [DataMember]
        [StringLength(2, 15)]
        [DataElement("225", typeof(X12_AN))]
        [Pos(3)]
        public string SealNumber_03 { get; set; }
        /// <summary>
        /// Seal Number
        /// </summary>
        [DataMember]
        [StringLength(2, 15)]
        [DataElement("225", typeof(X12_AN))]
        [Pos(4)]
        public string SealNumber_04 { get; set; }
        /// <summary>
        /// Entity Identifier Code
        /// </summary>
        [DataMember]
        [DataElement("98", typeof(X12_ID_98))]
        [Pos(5)]
        public string EntityIdentifierCode_05 { get; set; }
    }
[Segment("MAN")]
    public class MAN : I_MAN
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// Marks and Numbers Qualifier
        /// </summary>
        [DataMember]
        [Required]
        [DataElement("88", typeof(X12_ID_88))]
        [Pos(1)]
        public string MarksandNumbersQualifier_01 { get; set; }
        /// <summary>
        /// Marks and Numbers
        /// </summary>
        [DataMember]
        [Required]
        [StringLength(1, 48)]
        [DataElement("87", typeof(X12_AN))]
        [Pos(2)]
        public string MarksandNumbers_02 { get; set; }
        /// <summary>
        /// Marks and Numbers
        /// </summary>
        [DataMember]
        [StringLength(1, 48)]
        [DataElement("87", typeof(X12_AN))]
        [Pos(3)]
        public string MarksandNumbers_03 { get; set; }
        /// <summary>
        /// Marks and Numbers Qualifier
        /// </summary>
        [DataMember]
        [Paired(5)]
        [DataElement("88", typeof(X12_ID_88))]
        [Pos(4)]
        public string MarksandNumbersQualifier_04 { get; set; }
        /// <summary>
        /// Marks and Numbers
        /// </summary>
        [DataMember]
        [StringLength(1, 48)]
        [DataElement("87", typeof(X12_AN))]
        [Pos(5)]
        public string MarksandNumbers_05 { get; set; }
        /// <summary>
        /// Marks and Numbers
        /// </summary>
        [DataMember]
        [Conditional(5)]
        [StringLength(1, 48)]
        [DataElement("87", typeof(X12_AN))]
        [Pos(6)]
        public string MarksandNumbers_06 { get; set; }
    }
[Segment("MEA")]
    public class MEA : I_MEA<C001>
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// Measurement Reference ID Code
        /// </summary>
        [DataMember]
        [DataElement("737", typeof(X12_ID_737))]
        [Pos(1)]
        public string MeasurementReferenceIDCode_01 { get; set; }
        /// <summary>
        /// Measurement Qualifier
        /// </summary>
        [DataMember]
        [DataElement("738", typeof(X12_ID_738))]
        [Pos(2)]
        public string MeasurementQualifier_02 { get; set; }
        /// <summary>
        /// Measurement Value
        /// </summary>
        [DataMember]
        [RequiredAny(5, 6, 8)]
        [StringLength(1, 20)]
        [DataElement("739", typeof(X12_R))]
        [Pos(3)]
        public string MeasurementValue_03 { get; set; }
        /// <summary>
        /// Composite Unit of Measure
        /// </summary>
        [DataMember]
        [Pos(4)]
        public virtual C001 CompositeUnitofMeasure_04 { get; set; }
        /// <summary>
        /// Range Minimum
        /// </summary>
        [DataMember]
        [Conditional(4)]
        [StringLength(1, 20)]
        [DataElement("740", typeof(X12_R))]
        [Pos(5)]
        public string RangeMinimum_05 { get; set; }
        /// <summary>
        /// Range Maximum
        /// </summary>
        [DataMember]
        [Conditional(4)]
        [StringLength(1, 20)]
        [DataElement("741", typeof(X12_R))]
        [Pos(6)]
        public string RangeMaximum_06 { get; set; }
        /// <summary>
        /// Measurement Significance Code
        /// </summary>
        [DataMember]
        [ConditionalAny(3, 5, 6)]
        [DataElement("935", typeof(X12_ID_935))]
        [Pos(7)]
        public string MeasurementSignificanceCode_07 { get; set; }
        /// <summary>
        /// Measurement Attribute Code
        /// </summary>
        [DataMember]
        [Exclusion(3)]
        [DataElement("936", typeof(X12_ID_936))]
        [Pos(8)]
        public string MeasurementAttributeCode_08 { get; set; }
        /// <summary>
        /// Surface/Layer/Position Code
        /// </summary>
        [DataMember]
        [DataElement("752", typeof(X12_ID_752))]
        [Pos(9)]
        public string SurfaceLayerPositionCode_09 { get; set; }
        /// <summary>
        /// Measurement Method or Device
        /// </summary>
        [DataMember]
        [DataElement("1373", typeof(X12_ID_1373))]
        [Pos(10)]
        public string MeasurementMethodorDevice_10 { get; set; }
    }
[Segment("MS1")]
    public class MS1 : I_MS1
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// City Name
        /// </summary>
        [DataMember]
        [ConditionalAny(2, 3)]
        [Exclusion(4)]
        [StringLength(2, 30)]
        [DataElement("19", typeof(X12_AN))]
        [Pos(1)]
        public string CityName_01 { get; set; }
        /// <summary>
        /// State or Province Code
        /// </summary>
        [DataMember]
        [Conditional(1)]
        [StringLength(2, 2)]
        [DataElement("156", typeof(X12_AN))]
        [Pos(2)]
        public string StateorProvinceCode_02 { get; set; }
        /// <summary>
        /// Country Code
        /// </summary>
        [DataMember]
        [Conditional(1)]
        [StringLength(2, 3)]
        [DataElement("26", typeof(X12_AN))]
        [Pos(3)]
        public string CountryCode_03 { get; set; }
        /// <summary>
        /// Longitude Code
        /// </summary>
        [DataMember]
        [Paired(5)]
        [StringLength(7, 7)]
        [DataElement("1654", typeof(X12_AN))]
        [Pos(4)]
        public string LongitudeCode_04 { get; set; }
        /// <summary>
        /// Latitude Code
        /// </summary>
        [DataMember]
        [StringLength(7, 7)]
        [DataElement("1655", typeof(X12_AN))]
        [Pos(5)]
        public string LatitudeCode_05 { get; set; }
        /// <summary>
        /// Direction Identifier Code
        /// </summary>
        [DataMember]
        [Conditional(4)]
        [DataElement("1280", typeof(X12_ID_1280))]
        [Pos(6)]
        public string DirectionIdentifierCode_06 { get; set; }
        /// <summary>
        /// Direction Identifier Code
        /// </summary>
        [DataMember]
        [Conditional(5)]
        [DataElement("1280", typeof(X12_ID_1280))]
        [Pos(7)]
        public string DirectionIdentifierCode_07 { get; set; }
    }
[Segment("MS2")]
    public class MS2 : I_MS2
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// Standard Carrier Alpha Code
        /// </summary>
        [DataMember]
        [Paired(2)]
        [StringLength(2, 4)]
        [DataElement("140", typeof(X12_AN))]
        [Pos(1)]
        public string StandardCarrierAlphaCode_01 { get; set; }
        /// <summary>
        /// Equipment Number
        /// </summary>
        [DataMember]
        [StringLength(1, 10)]
        [DataElement("207", typeof(X12_AN))]
        [Pos(2)]
        public string EquipmentNumber_02 { get; set; }
        /// <summary>
        /// Equipment Description Code
        /// </summary>
        [DataMember]
        [DataElement("40", typeof(X12_ID_40))]
        [Pos(3)]
        public string EquipmentDescriptionCode_03 { get; set; }
        /// <summary>
        /// Equipment Number Check Digit
        /// </summary>
        [DataMember]
        [Conditional(2)]
        [StringLength(1, 1)]
        [DataElement("761", typeof(X12_N0))]
        [Pos(4)]
        public string EquipmentNumberCheckDigit_04 { get; set; }
    }
[Segment("MS3")]
    public class MS3 : I_MS3
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// Standard Carrier Alpha Code
        /// </summary>
        [DataMember]
        [Required]
        [StringLength(2, 4)]
        [DataElement("140", typeof(X12_AN))]
        [Pos(1)]
        public string StandardCarrierAlphaCode_01 { get; set; }
        /// <summary>
        /// Routing Sequence Code
        /// </summary>
        [DataMember]
        [Required]
        [DataElement("133", typeof(X12_ID_133))]
        [Pos(2)]
        public string RoutingSequenceCode_02 { get; set; }
        /// <summary>
        /// City Name
        /// </summary>
        [DataMember]
        [StringLength(2, 30)]
        [DataElement("19", typeof(X12_AN))]
        [Pos(3)]
        public string CityName_03 { get; set; }
        /// <summary>
        /// Transportation Method/Type Code
        /// </summary>
        [DataMember]
        [DataElement("91", typeof(X12_ID_91))]
        [Pos(4)]
        public string TransportationMethodTypeCode_04 { get; set; }
        /// <summary>
        /// State or Province Code
        /// </summary>
        [DataMember]
        [Conditional(3)]
        [StringLength(2, 2)]
        [DataElement("156", typeof(X12_AN))]
        [Pos(5)]
        public string StateorProvinceCode_05 { get; set; }
    }
[Segment("N1")]
    public class N1 : I_N1
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// Entity Identifier Code
        /// </summary>
        [DataMember]
        [Required]
        [DataElement("98", typeof(X12_ID_98))]
        [Pos(1)]
        public string EntityIdentifierCode_01 { get; set; }
        /// <summary>
        /// Name
        /// </summary>
        [DataMember]
        [RequiredAny(3)]
        [StringLength(1, 60)]
        [DataElement("93", typeof(X12_AN))]
        [Pos(2)]
        public string Name_02 { get; set; }
        /// <summary>
        /// Identification Code Qualifier
        /// </summary>
        [DataMember]
        [Paired(4)]
        [DataElement("66", typeof(X12_ID_66))]
        [Pos(3)]
        public string IdentificationCodeQualifier_03 { get; set; }
        /// <summary>
        /// Identification Code
        /// </summary>
        [DataMember]
        [StringLength(2, 80)]
        [DataElement("67", typeof(X12_AN))]
        [Pos(4)]
        public string IdentificationCode_04 { get; set; }
        /// <summary>
        /// Entity Relationship Code
        /// </summary>
        [DataMember]
        [DataElement("706", typeof(X12_ID_706))]
        [Pos(5)]
        public string EntityRelationshipCode_05 { get; set; }
        /// <summary>
        /// Entity Identifier Code
        /// </summary>
        [DataMember]
        [DataElement("98", typeof(X12_ID_98))]
        [Pos(6)]
        public string EntityIdentifierCode_06 { get; set; }
    }
[Segment("N2")]
    public class N2 : I_N2
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// Name
        /// </summary>
        [DataMember]
        [Required]
        [StringLength(1, 60)]
        [DataElement("93", typeof(X12_AN))]
        [Pos(1)]
        public string Name_01 { get; set; }
        /// <summary>
        /// Name
        /// </summary>
        [DataMember]
        [StringLength(1, 60)]
        [DataElement("93", typeof(X12_AN))]
        [Pos(2)]
        public string Name_02 { get; set; }
    }
[Segment("N3")]
    public class N3 : I_N3
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// Address Information
        /// </summary>
        [DataMember]
        [Required]
        [StringLength(1, 55)]
        [DataElement("166", typeof(X12_AN))]
        [Pos(1)]
        public string AddressInformation_01 { get; set; }
        /// <summary>
        /// Address Information
        /// </summary>
        [DataMember]
        [StringLength(1, 55)]
        [DataElement("166", typeof(X12_AN))]
        [Pos(2)]
        public string AddressInformation_02 { get; set; }
    }
[Segment("N4")]
    public class N4 : I_N4
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// City Name
        /// </summary>
        [DataMember]
        [StringLength(2, 30)]
        [DataElement("19", typeof(X12_AN))]
        [Pos(1)]
        public string CityName_01 { get; set; }
        /// <summary>
        /// State or Province Code
        /// </summary>
        [DataMember]
        [StringLength(2, 2)]
        [DataElement("156", typeof(X12_AN))]
        [Pos(2)]
        public string StateorProvinceCode_02 { get; set; }
        /// <summary>
        /// Postal Code
        /// </summary>
        [DataMember]
        [StringLength(3, 15)]
        [DataElement("116", typeof(X12_AN))]
        [Pos(3)]
        public string PostalCode_03 { get; set; }
        /// <summary>
        /// Country Code
        /// </summary>
        [DataMember]
        [StringLength(2, 3)]
        [DataElement("26", typeof(X12_AN))]
        [Pos(4)]
        public string CountryCode_04 { get; set; }
        /// <summary>
        /// Location Qualifier
        /// </summary>
        [DataMember]
        [DataElement("309", typeof(X12_ID_309))]
        [Pos(5)]
        public string LocationQualifier_05 { get; set; }
        /// <summary>
        /// Location Identifier
        /// </summary>
        [DataMember]
        [Conditional(5)]
        [StringLength(1, 30)]
        [DataElement("310", typeof(X12_AN))]
        [Pos(6)]
        public string LocationIdentifier_06 { get; set; }
    }
[Segment("N7")]
    public class N7 : I_N7
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// Equipment Initial
        /// </summary>
        [DataMember]
        [StringLength(1, 4)]
        [DataElement("206", typeof(X12_AN))]
        [Pos(1)]
        public string EquipmentInitial_01 { get; set; }
        /// <summary>
        /// Equipment Number
        /// </summary>
        [DataMember]
        [Required]
        [StringLength(1, 10)]
        [DataElement("207", typeof(X12_AN))]
        [Pos(2)]
        public string EquipmentNumber_02 { get; set; }
        /// <summary>
        /// Weight
        /// </summary>
        [DataMember]
        [Paired(4)]
        [StringLength(1, 10)]
        [DataElement("81", typeof(X12_R))]
        [Pos(3)]
        public string Weight_03 { get; set; }
        /// <summary>
        /// Weight Qualifier
        /// </summary>
        [DataMember]
        [DataElement("187", typeof(X12_ID_187))]
        [Pos(4)]
        public string WeightQualifier_04 { get; set; }
        /// <summary>
        /// Tare Weight
        /// </summary>
        [DataMember]
        [Paired(16)]
        [StringLength(3, 8)]
        [DataElement("167", typeof(X12_N0))]
        [Pos(5)]
        public string TareWeight_05 { get; set; }
        /// <summary>
        /// Weight Allowance
        /// </summary>
        [DataMember]
        [StringLength(2, 6)]
        [DataElement("232", typeof(X12_N0))]
        [Pos(6)]
        public string WeightAllowance_06 { get; set; }
        /// <summary>
        /// Dunnage
        /// </summary>
        [DataMember]
        [StringLength(1, 6)]
        [DataElement("205", typeof(X12_N0))]
        [Pos(7)]
        public string Dunnage_07 { get; set; }
        /// <summary>
        /// Volume
        /// </summary>
        [DataMember]
        [Paired(9)]
        [StringLength(1, 8)]
        [DataElement("183", typeof(X12_R))]
        [Pos(8)]
        public string Volume_08 { get; set; }
        /// <summary>
        /// Volume Unit Qualifier
        /// </summary>
        [DataMember]
        [DataElement("184", typeof(X12_ID_184))]
        [Pos(9)]
        public string VolumeUnitQualifier_09 { get; set; }
        /// <summary>
        /// Ownership Code
        /// </summary>
        [DataMember]
        [DataElement("102", typeof(X12_ID_102))]
        [Pos(10)]
        public string OwnershipCode_10 { get; set; }
        /// <summary>
        /// Equipment Description Code
        /// </summary>
        [DataMember]
        [DataElement("40", typeof(X12_ID_40))]
        [Pos(11)]
        public string EquipmentDescriptionCode_11 { get; set; }
        /// <summary>
        /// Standard Carrier Alpha Code
        /// </summary>
        [DataMember]
        [StringLength(2, 4)]
        [DataElement("140", typeof(X12_AN))]
        [Pos(12)]
        public string StandardCarrierAlphaCode_12 { get; set; }
        /// <summary>
        /// Temperature Control
        /// </summary>
        [DataMember]
        [StringLength(3, 6)]
        [DataElement("319", typeof(X12_AN))]
        [Pos(13)]
        public string TemperatureControl_13 { get; set; }
        /// <summary>
        /// Position
        /// </summary>
        [DataMember]
        [StringLength(1, 3)]
        [DataElement("219", typeof(X12_AN))]
        [Pos(14)]
        public string Position_14 { get; set; }
        /// <summary>
        /// Equipment Length
        /// </summary>
        [DataMember]
        [StringLength(4, 5)]
        [DataElement("567", typeof(X12_N0))]
        [Pos(15)]
        public string EquipmentLength_15 { get; set; }
        /// <summary>
        /// Tare Qualifier Code
        /// </summary>
        [DataMember]
        [DataElement("571", typeof(X12_ID_571))]
        [Pos(16)]
        public string TareQualifierCode_16 { get; set; }
        /// <summary>
        /// Weight Unit Code
        /// </summary>
        [DataMember]
        [DataElement("188", typeof(X12_ID_188))]
        [Pos(17)]
        public string WeightUnitCode_17 { get; set; }
        /// <summary>
        /// Equipment Number Check Digit
        /// </summary>
        [DataMember]
        [StringLength(1, 1)]
        [DataElement("761", typeof(X12_N0))]
        [Pos(18)]
        public string EquipmentNumberCheckDigit_18 { get; set; }
        /// <summary>
        /// Type of Service Code
        /// </summary>
        [DataMember]
        [DataElement("56", typeof(X12_ID_56))]
        [Pos(19)]
        public string TypeofServiceCode_19 { get; set; }
        /// <summary>
        /// Height
        /// </summary>
        [DataMember]
        [StringLength(1, 8)]
        [DataElement("65", typeof(X12_R))]
        [Pos(20)]
        public string Height_20 { get; set; }
        /// <summary>
        /// Width
        /// </summary>
        [DataMember]
        [StringLength(1, 8)]
        [DataElement("189", typeof(X12_R))]
        [Pos(21)]
        public string Width_21 { get; set; }
        /// <summary>
        /// Equipment Type
        /// </summary>
        [DataMember]
        [StringLength(4, 4)]
        [DataElement("24", typeof(X12_AN))]
        [Pos(22)]
        public string EquipmentType_22 { get; set; }
        /// <summary>
        /// Standard Carrier Alpha Code
        /// </summary>
        [DataMember]
        [StringLength(2, 4)]
        [DataElement("140", typeof(X12_AN))]
        [Pos(23)]
        public string StandardCarrierAlphaCode_23 { get; set; }
        /// <summary>
        /// Car Type Code
        /// </summary>
        [DataMember]
        [StringLength(1, 4)]
        [DataElement("301", typeof(X12_AN))]
        [Pos(24)]
        public string CarTypeCode_24 { get; set; }
    }
[Segment("N7A")]
    public class N7A : I_N7A
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// Load or Device Code
        /// </summary>
        [DataMember]
        [DataElement("1042", typeof(X12_ID_1042))]
        [Pos(1)]
        public string LoadorDeviceCode_01 { get; set; }
        /// <summary>
        /// Length
        /// </summary>
        [DataMember]
        [StringLength(1, 8)]
        [DataElement("82", typeof(X12_R))]
        [Pos(2)]
        public string Length_02 { get; set; }
        /// <summary>
        /// Diameter
        /// </summary>
        [DataMember]
        [StringLength(1, 2)]
        [DataElement("1043", typeof(X12_R))]
        [Pos(3)]
        public string Diameter_03 { get; set; }
        /// <summary>
        /// Hose Type Code
        /// </summary>
        [DataMember]
        [DataElement("1044", typeof(X12_ID_1044))]
        [Pos(4)]
        public string HoseTypeCode_04 { get; set; }
        /// <summary>
        /// Diameter
        /// </summary>
        [DataMember]
        [StringLength(1, 2)]
        [DataElement("1043", typeof(X12_R))]
        [Pos(5)]
        public string Diameter_05 { get; set; }
        /// <summary>
        /// Diameter
        /// </summary>
        [DataMember]
        [StringLength(1, 2)]
        [DataElement("1043", typeof(X12_R))]
        [Pos(6)]
        public string Diameter_06 { get; set; }
        /// <summary>
        /// Inlet or Outlet Material Type Code
        /// </summary>
        [DataMember]
        [DataElement("1045", typeof(X12_ID_1045))]
        [Pos(7)]
        public string InletorOutletMaterialTypeCode_07 { get; set; }
        /// <summary>
        /// Inlet or Outlet Fitting Type Code
        /// </summary>
        [DataMember]
        [DataElement("1046", typeof(X12_ID_1046))]
        [Pos(8)]
        public string InletorOutletFittingTypeCode_08 { get; set; }
        /// <summary>
        /// Miscellaneous Equipment Code
        /// </summary>
        [DataMember]
        [DataElement("1047", typeof(X12_ID_1047))]
        [Pos(9)]
        public string MiscellaneousEquipmentCode_09 { get; set; }
    }
[Segment("N7B")]
    public class N7B : I_N7B
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// Number of Tank Compartments
        /// </summary>
        [DataMember]
        [StringLength(1, 2)]
        [DataElement("1024", typeof(X12_N0))]
        [Pos(1)]
        public string NumberofTankCompartments_01 { get; set; }
        /// <summary>
        /// Loading or Discharge Location Code
        /// </summary>
        [DataMember]
        [DataElement("1025", typeof(X12_ID_1025))]
        [Pos(2)]
        public string LoadingorDischargeLocationCode_02 { get; set; }
        /// <summary>
        /// Vessel Material Code
        /// </summary>
        [DataMember]
        [DataElement("1026", typeof(X12_ID_1026))]
        [Pos(3)]
        public string VesselMaterialCode_03 { get; set; }
        /// <summary>
        /// Gasket Type Code
        /// </summary>
        [DataMember]
        [DataElement("1030", typeof(X12_ID_1030))]
        [Pos(4)]
        public string GasketTypeCode_04 { get; set; }
        /// <summary>
        /// Trailer Lining Type Code
        /// </summary>
        [DataMember]
        [DataElement("1031", typeof(X12_ID_1031))]
        [Pos(5)]
        public string TrailerLiningTypeCode_05 { get; set; }
        /// <summary>
        /// Reference Identification
        /// </summary>
        [DataMember]
        [StringLength(1, 30)]
        [DataElement("127", typeof(X12_AN))]
        [Pos(6)]
        public string ReferenceIdentification_06 { get; set; }
    }
[Segment("N9")]
    public class N9 : I_N9<C040>
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// Reference Identification Qualifier
        /// </summary>
        [DataMember]
        [Required]
        [DataElement("128", typeof(X12_ID_128))]
        [Pos(1)]
        public string ReferenceIdentificationQualifier_01 { get; set; }
        /// <summary>
        /// Reference Identification
        /// </summary>
        [DataMember]
        [RequiredAny(3)]
        [StringLength(1, 30)]
        [DataElement("127", typeof(X12_AN))]
        [Pos(2)]
        public string ReferenceIdentification_02 { get; set; }
        /// <summary>
        /// Free-form Description
        /// </summary>
        [DataMember]
        [StringLength(1, 45)]
        [DataElement("369", typeof(X12_AN))]
        [Pos(3)]
        public string FreeformDescription_03 { get; set; }
        /// <summary>
        /// Date
        /// </summary>
        [DataMember]
        [StringLength(8, 8)]
        [DataElement("373", typeof(X12_DT))]
        [Pos(4)]
        public string Date_04 { get; set; }
        /// <summary>
        /// Time
        /// </summary>
        [DataMember]
        [StringLength(4, 8)]
        [DataElement("337", typeof(X12_TM))]
        [Pos(5)]
        public string Time_05 { get; set; }
        /// <summary>
        /// Time Code
        /// </summary>
        [DataMember]
        [Conditional(5)]
        [DataElement("623", typeof(X12_ID_623))]
        [Pos(6)]
        public string TimeCode_06 { get; set; }
        /// <summary>
        /// Reference Identifier
        /// </summary>
        [DataMember]
        [Pos(7)]
        public virtual C040 ReferenceIdentifier_07 { get; set; }
    }
[Segment("NM1")]
    public class NM1 : I_NM1
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// Entity Identifier Code
        /// </summary>
        [DataMember]
        [Required]
        [DataElement("98", typeof(X12_ID_98))]
        [Pos(1)]
        public string EntityIdentifierCode_01 { get; set; }
        /// <summary>
        /// Entity Type Qualifier
        /// </summary>
        [DataMember]
        [Required]
        [DataElement("1065", typeof(X12_ID_1065))]
        [Pos(2)]
        public string EntityTypeQualifier_02 { get; set; }
        /// <summary>
        /// Name Last or Organization Name
        /// </summary>
        [DataMember]
        [StringLength(1, 35)]
        [DataElement("1035", typeof(X12_AN))]
        [Pos(3)]
        public string NameLastorOrganizationName_03 { get; set; }
        /// <summary>
        /// Name First
        /// </summary>
        [DataMember]
        [StringLength(1, 25)]
        [DataElement("1036", typeof(X12_AN))]
        [Pos(4)]
        public string NameFirst_04 { get; set; }
        /// <summary>
        /// Name Middle
        /// </summary>
        [DataMember]
        [StringLength(1, 25)]
        [DataElement("1037", typeof(X12_AN))]
        [Pos(5)]
        public string NameMiddle_05 { get; set; }
        /// <summary>
        /// Name Prefix
        /// </summary>
        [DataMember]
        [StringLength(1, 10)]
        [DataElement("1038", typeof(X12_AN))]
        [Pos(6)]
        public string NamePrefix_06 { get; set; }
        /// <summary>
        /// Name Suffix
        /// </summary>
        [DataMember]
        [StringLength(1, 10)]
        [DataElement("1039", typeof(X12_AN))]
        [Pos(7)]
        public string NameSuffix_07 { get; set; }
        /// <summary>
        /// Identification Code Qualifier
        /// </summary>
        [DataMember]
        [Paired(9)]
        [DataElement("66", typeof(X12_ID_66))]
        [Pos(8)]
        public string IdentificationCodeQualifier_08 { get; set; }
        /// <summary>
        /// Identification Code
        /// </summary>
        [DataMember]
        [StringLength(2, 80)]
        [DataElement("67", typeof(X12_AN))]
        [Pos(9)]
        public string IdentificationCode_09 { get; set; }
        /// <summary>
        /// Entity Relationship Code
        /// </summary>
        [DataMember]
        [DataElement("706", typeof(X12_ID_706))]
        [Pos(10)]
        public string EntityRelationshipCode_10 { get; set; }
        /// <summary>
        /// Entity Identifier Code
        /// </summary>
        [DataMember]
        [Conditional(10)]
        [DataElement("98", typeof(X12_ID_98))]
        [Pos(11)]
        public string EntityIdentifierCode_11 { get; set; }
    }
[Segment("NTE")]
    public class NTE : I_NTE
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// Note Reference Code
        /// </summary>
        [DataMember]
        [DataElement("363", typeof(X12_ID_363))]
        [Pos(1)]
        public string NoteReferenceCode_01 { get; set; }
        /// <summary>
        /// Description
        /// </summary>
        [DataMember]
        [Required]
        [StringLength(1, 80)]
        [DataElement("352", typeof(X12_AN))]
        [Pos(2)]
        public string Description_02 { get; set; }
    }
[Segment("OID")]
    public class OID : I_OID
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// Reference Identification
        /// </summary>
        [DataMember]
        [RequiredAny(2)]
        [StringLength(1, 30)]
        [DataElement("127", typeof(X12_AN))]
        [Pos(1)]
        public string ReferenceIdentification_01 { get; set; }
        /// <summary>
        /// Purchase Order Number
        /// </summary>
        [DataMember]
        [StringLength(1, 22)]
        [DataElement("324", typeof(X12_AN))]
        [Pos(2)]
        public string PurchaseOrderNumber_02 { get; set; }
        /// <summary>
        /// Reference Identification
        /// </summary>
        [DataMember]
        [Conditional(2)]
        [StringLength(1, 30)]
        [DataElement("127", typeof(X12_AN))]
        [Pos(3)]
        public string ReferenceIdentification_03 { get; set; }
        /// <summary>
        /// Unit or Basis for Measurement Code
        /// </summary>
        [DataMember]
        [Paired(5)]
        [DataElement("355", typeof(X12_ID_355))]
        [Pos(4)]
        public string UnitorBasisforMeasurementCode_04 { get; set; }
        /// <summary>
        /// Quantity
        /// </summary>
        [DataMember]
        [StringLength(1, 15)]
        [DataElement("380", typeof(X12_R))]
        [Pos(5)]
        public string Quantity_05 { get; set; }
        /// <summary>
        /// Weight Unit Code
        /// </summary>
        [DataMember]
        [Paired(7)]
        [DataElement("188", typeof(X12_ID_188))]
        [Pos(6)]
        public string WeightUnitCode_06 { get; set; }
        /// <summary>
        /// Weight
        /// </summary>
        [DataMember]
        [StringLength(1, 10)]
        [DataElement("81", typeof(X12_R))]
        [Pos(7)]
        public string Weight_07 { get; set; }
        /// <summary>
        /// Volume Unit Qualifier
        /// </summary>
        [DataMember]
        [Paired(9)]
        [DataElement("184", typeof(X12_ID_184))]
        [Pos(8)]
        public string VolumeUnitQualifier_08 { get; set; }
        /// <summary>
        /// Volume
        /// </summary>
        [DataMember]
        [StringLength(1, 8)]
        [DataElement("183", typeof(X12_R))]
        [Pos(9)]
        public string Volume_09 { get; set; }
    }
[Segment("PLD")]
    public class PLD : I_PLD
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// Quantity of Pallets Shipped
        /// </summary>
        [DataMember]
        [Required]
        [StringLength(1, 3)]
        [DataElement("406", typeof(X12_N0))]
        [Pos(1)]
        public string QuantityofPalletsShipped_01 { get; set; }
        /// <summary>
        /// Pallet Exchange Code
        /// </summary>
        [DataMember]
        [DataElement("399", typeof(X12_ID_399))]
        [Pos(2)]
        public string PalletExchangeCode_02 { get; set; }
        /// <summary>
        /// Weight Unit Code
        /// </summary>
        [DataMember]
        [Paired(4)]
        [DataElement("188", typeof(X12_ID_188))]
        [Pos(3)]
        public string WeightUnitCode_03 { get; set; }
        /// <summary>
        /// Weight
        /// </summary>
        [DataMember]
        [StringLength(1, 10)]
        [DataElement("81", typeof(X12_R))]
        [Pos(4)]
        public string Weight_04 { get; set; }
    }
[Segment("POD")]
    public class POD : I_POD
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// Date
        /// </summary>
        [DataMember]
        [Required]
        [StringLength(8, 8)]
        [DataElement("373", typeof(X12_DT))]
        [Pos(1)]
        public string Date_01 { get; set; }
        /// <summary>
        /// Time
        /// </summary>
        [DataMember]
        [StringLength(4, 8)]
        [DataElement("337", typeof(X12_TM))]
        [Pos(2)]
        public string Time_02 { get; set; }
        /// <summary>
        /// Name
        /// </summary>
        [DataMember]
        [Required]
        [StringLength(1, 60)]
        [DataElement("93", typeof(X12_AN))]
        [Pos(3)]
        public string Name_03 { get; set; }
    }
[Segment("PRF")]
    public class PRF : I_PRF
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// Purchase Order Number
        /// </summary>
        [DataMember]
        [Required]
        [StringLength(1, 22)]
        [DataElement("324", typeof(X12_AN))]
        [Pos(1)]
        public string PurchaseOrderNumber_01 { get; set; }
        /// <summary>
        /// Release Number
        /// </summary>
        [DataMember]
        [StringLength(1, 30)]
        [DataElement("328", typeof(X12_AN))]
        [Pos(2)]
        public string ReleaseNumber_02 { get; set; }
        /// <summary>
        /// Change Order Sequence Number
        /// </summary>
        [DataMember]
        [StringLength(1, 8)]
        [DataElement("327", typeof(X12_AN))]
        [Pos(3)]
        public string ChangeOrderSequenceNumber_03 { get; set; }
        /// <summary>
        /// Date
        /// </summary>
        [DataMember]
        [StringLength(8, 8)]
        [DataElement("373", typeof(X12_DT))]
        [Pos(4)]
        public string Date_04 { get; set; }
        /// <summary>
        /// Assigned Identification
        /// </summary>
        [DataMember]
        [StringLength(1, 20)]
        [DataElement("350", typeof(X12_AN))]
        [Pos(5)]
        public string AssignedIdentification_05 { get; set; }
        /// <summary>
        /// Contract Number
        /// </summary>
        [DataMember]
        [StringLength(1, 30)]
        [DataElement("367", typeof(X12_AN))]
        [Pos(6)]
        public string ContractNumber_06 { get; set; }
        /// <summary>
        /// Purchase Order Type Code
        /// </summary>
        [DataMember]
        [DataElement("92", typeof(X12_ID_92))]
        [Pos(7)]
        public string PurchaseOrderTypeCode_07 { get; set; }
    }
[Segment("Q7")]
    public class Q7 : I_Q7
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// Lading Exception Code
        /// </summary>
        [DataMember]
        [Required]
        [DataElement("33", typeof(X12_ID_33))]
        [Pos(1)]
        public string LadingExceptionCode_01 { get; set; }
        /// <summary>
        /// Packaging Form Code
        /// </summary>
        [DataMember]
        [Conditional(3)]
        [DataElement("211", typeof(X12_ID_211))]
        [Pos(2)]
        public string PackagingFormCode_02 { get; set; }
        /// <summary>
        /// Lading Quantity
        /// </summary>
        [DataMember]
        [StringLength(1, 7)]
        [DataElement("80", typeof(X12_N0))]
        [Pos(3)]
        public string LadingQuantity_03 { get; set; }
    }
[Segment("R3")]
    public class R3 : I_R3
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// Standard Carrier Alpha Code
        /// </summary>
        [DataMember]
        [Required]
        [StringLength(2, 4)]
        [DataElement("140", typeof(X12_AN))]
        [Pos(1)]
        public string StandardCarrierAlphaCode_01 { get; set; }
        /// <summary>
        /// Routing Sequence Code
        /// </summary>
        [DataMember]
        [Required]
        [DataElement("133", typeof(X12_ID_133))]
        [Pos(2)]
        public string RoutingSequenceCode_02 { get; set; }
        /// <summary>
        /// City Name
        /// </summary>
        [DataMember]
        [StringLength(2, 30)]
        [DataElement("19", typeof(X12_AN))]
        [Pos(3)]
        public string CityName_03 { get; set; }
        /// <summary>
        /// Transportation Method/Type Code
        /// </summary>
        [DataMember]
        [DataElement("91", typeof(X12_ID_91))]
        [Pos(4)]
        public string TransportationMethodTypeCode_04 { get; set; }
        /// <summary>
        /// Standard Point Location Code
        /// </summary>
        [DataMember]
        [StringLength(6, 9)]
        [DataElement("154", typeof(X12_AN))]
        [Pos(5)]
        public string StandardPointLocationCode_05 { get; set; }
        /// <summary>
        /// Invoice Number
        /// </summary>
        [DataMember]
        [StringLength(1, 22)]
        [DataElement("76", typeof(X12_AN))]
        [Pos(6)]
        public string InvoiceNumber_06 { get; set; }
        /// <summary>
        /// Date
        /// </summary>
        [DataMember]
        [StringLength(8, 8)]
        [DataElement("373", typeof(X12_DT))]
        [Pos(7)]
        public string Date_07 { get; set; }
        /// <summary>
        /// Amount
        /// </summary>
        [DataMember]
        [StringLength(1, 15)]
        [DataElement("610", typeof(X12_N2))]
        [Pos(8)]
        public string Amount_08 { get; set; }
        /// <summary>
        /// Free-form Description
        /// </summary>
        [DataMember]
        [StringLength(1, 45)]
        [DataElement("369", typeof(X12_AN))]
        [Pos(9)]
        public string FreeformDescription_09 { get; set; }
        /// <summary>
        /// Service Level Code
        /// </summary>
        [DataMember]
        [DataElement("284", typeof(X12_ID_284))]
        [Pos(10)]
        public string ServiceLevelCode_10 { get; set; }
        /// <summary>
        /// Service Level Code
        /// </summary>
        [DataMember]
        [Conditional(10)]
        [DataElement("284", typeof(X12_ID_284))]
        [Pos(11)]
        public string ServiceLevelCode_11 { get; set; }
        /// <summary>
        /// Service Level Code
        /// </summary>
        [DataMember]
        [Conditional(11)]
        [DataElement("284", typeof(X12_ID_284))]
        [Pos(12)]
        public string ServiceLevelCode_12 { get; set; }
    }
[Segment("S5")]
    public class S5 : I_S5
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// Stop Sequence Number
        /// </summary>
        [DataMember]
        [Required]
        [StringLength(1, 3)]
        [DataElement("165", typeof(X12_N0))]
        [Pos(1)]
        public string StopSequenceNumber_01 { get; set; }
        /// <summary>
        /// Stop Reason Code
        /// </summary>
        [DataMember]
        [Required]
        [DataElement("163", typeof(X12_ID_163))]
        [Pos(2)]
        public string StopReasonCode_02 { get; set; }
        /// <summary>
        /// Weight
        /// </summary>
        [DataMember]
        [Paired(4)]
        [StringLength(1, 10)]
        [DataElement("81", typeof(X12_R))]
        [Pos(3)]
        public string Weight_03 { get; set; }
        /// <summary>
        /// Weight Unit Code
        /// </summary>
        [DataMember]
        [DataElement("188", typeof(X12_ID_188))]
        [Pos(4)]
        public string WeightUnitCode_04 { get; set; }
        /// <summary>
        /// Number of Units Shipped
        /// </summary>
        [DataMember]
        [Paired(6)]
        [StringLength(1, 10)]
        [DataElement("382", typeof(X12_R))]
        [Pos(5)]
        public string NumberofUnitsShipped_05 { get; set; }
        /// <summary>
        /// Unit or Basis for Measurement Code
        /// </summary>
        [DataMember]
        [DataElement("355", typeof(X12_ID_355))]
        [Pos(6)]
        public string UnitorBasisforMeasurementCode_06 { get; set; }
        /// <summary>
        /// Volume
        /// </summary>
        [DataMember]
        [Paired(8)]
        [StringLength(1, 8)]
        [DataElement("183", typeof(X12_R))]
        [Pos(7)]
        public string Volume_07 { get; set; }
        /// <summary>
        /// Volume Unit Qualifier
        /// </summary>
        [DataMember]
        [DataElement("184", typeof(X12_ID_184))]
        [Pos(8)]
        public string VolumeUnitQualifier_08 { get; set; }
        /// <summary>
        /// Description
        /// </summary>
        [DataMember]
        [StringLength(1, 80)]
        [DataElement("352", typeof(X12_AN))]
        [Pos(9)]
        public string Description_09 { get; set; }
        /// <summary>
        /// Standard Point Location Code
        /// </summary>
        [DataMember]
        [StringLength(6, 9)]
        [DataElement("154", typeof(X12_AN))]
        [Pos(10)]
        public string StandardPointLocationCode_10 { get; set; }
        /// <summary>
        /// Accomplish Code
        /// </summary>
        [DataMember]
        [DataElement("190", typeof(X12_ID_190))]
        [Pos(11)]
        public string AccomplishCode_11 { get; set; }
    }
[Segment("SDQ")]
    public class SDQ : I_SDQ
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// Unit or Basis for Measurement Code
        /// </summary>
        [DataMember]
        [Required]
        [DataElement("355", typeof(X12_ID_355))]
        [Pos(1)]
        public string UnitorBasisforMeasurementCode_01 { get; set; }
        /// <summary>
        /// Identification Code Qualifier
        /// </summary>
        [DataMember]
        [DataElement("66", typeof(X12_ID_66))]
        [Pos(2)]
        public string IdentificationCodeQualifier_02 { get; set; }
        /// <summary>
        /// Identification Code
        /// </summary>
        [DataMember]
        [Required]
        [StringLength(2, 80)]
        [DataElement("67", typeof(X12_AN))]
        [Pos(3)]
        public string IdentificationCode_03 { get; set; }
        /// <summary>
        /// Quantity
        /// </summary>
        [DataMember]
        [Required]
        [StringLength(1, 15)]
        [DataElement("380", typeof(X12_R))]
        [Pos(4)]
        public string Quantity_04 { get; set; }
        /// <summary>
        /// Identification Code
        /// </summary>
        [DataMember]
        [Paired(6)]
        [StringLength(2, 80)]
        [DataElement("67", typeof(X12_AN))]
        [Pos(5)]
        public string IdentificationCode_05 { get; set; }
        /// <summary>
        /// Quantity
        /// </summary>
        [DataMember]
        [StringLength(1, 15)]
        [DataElement("380", typeof(X12_R))]
        [Pos(6)]
        public string Quantity_06 { get; set; }
        /// <summary>
        /// Identification Code
        /// </summary>
        [DataMember]
        [Paired(8)]
        [StringLength(2, 80)]
        [DataElement("67", typeof(X12_AN))]
        [Pos(7)]
        public string IdentificationCode_07 { get; set; }
        /// <summary>
        /// Quantity
        /// </summary>
        [DataMember]
        [StringLength(1, 15)]
        [DataElement("380", typeof(X12_R))]
        [Pos(8)]
        public string Quantity_08 { get; set; }
        /// <summary>
        /// Identification Code
        /// </summary>
        [DataMember]
        [Paired(10)]
        [StringLength(2, 80)]
        [DataElement("67", typeof(X12_AN))]
        [Pos(9)]
        public string IdentificationCode_09 { get; set; }
        /// <summary>
        /// Quantity
        /// </summary>
        [DataMember]
        [StringLength(1, 15)]
        [DataElement("380", typeof(X12_R))]
        [Pos(10)]
        public string Quantity_10 { get; set; }
        /// <summary>
        /// Identification Code
        /// </summary>
        [DataMember]
        [Paired(12)]
        [StringLength(2, 80)]
        [DataElement("67", typeof(X12_AN))]
        [Pos(11)]
        public string IdentificationCode_11 { get; set; }
        /// <summary>
        /// Quantity
        /// </summary>
        [DataMember]
        [StringLength(1, 15)]
        [DataElement("380", typeof(X12_R))]
        [Pos(12)]
        public string Quantity_12 { get; set; }
        /// <summary>
        /// Identification Code
        /// </summary>
        [DataMember]
        [Paired(14)]
        [StringLength(2, 80)]
        [DataElement("67", typeof(X12_AN))]
        [Pos(13)]
        public string IdentificationCode_13 { get; set; }
        /// <summary>
        /// Quantity
        /// </summary>
        [DataMember]
        [StringLength(1, 15)]
        [DataElement("380", typeof(X12_R))]
        [Pos(14)]
        public string Quantity_14 { get; set; }
        /// <summary>
        /// Identification Code
        /// </summary>
        [DataMember]
        [Paired(16)]
        [StringLength(2, 80)]
        [DataElement("67", typeof(X12_AN))]
        [Pos(15)]
        public string IdentificationCode_15 { get; set; }
        /// <summary>
        /// Quantity
        /// </summary>
        [DataMember]
        [StringLength(1, 15)]
        [DataElement("380", typeof(X12_R))]
        [Pos(16)]
        public string Quantity_16 { get; set; }
        /// <summary>
        /// Identification Code
        /// </summary>
        [DataMember]
        [Paired(18)]
        [StringLength(2, 80)]
        [DataElement("67", typeof(X12_AN))]
        [Pos(17)]
        public string IdentificationCode_17 { get; set; }
        /// <summary>
        /// Quantity
        /// </summary>
        [DataMember]
        [StringLength(1, 15)]
        [DataElement("380", typeof(X12_R))]
        [Pos(18)]
        public string Quantity_18 { get; set; }
        /// <summary>
        /// Identification Code
        /// </summary>
        [DataMember]
        [Paired(20)]
        [StringLength(2, 80)]
        [DataElement("67", typeof(X12_AN))]
        [Pos(19)]
        public string IdentificationCode_19 { get; set; }
        /// <summary>
        /// Quantity
        /// </summary>
        [DataMember]
        [StringLength(1, 15)]
        [DataElement("380", typeof(X12_R))]
        [Pos(20)]
        public string Quantity_20 { get; set; }
        /// <summary>
        /// Identification Code
        /// </summary>
        [DataMember]
        [Paired(22)]
        [StringLength(2, 80)]
        [DataElement("67", typeof(X12_AN))]
        [Pos(21)]
        public string IdentificationCode_21 { get; set; }
        /// <summary>
        /// Quantity
        /// </summary>
        [DataMember]
        [StringLength(1, 15)]
        [DataElement("380", typeof(X12_R))]
        [Pos(22)]
        public string Quantity_22 { get; set; }
        /// <summary>
        /// Location Identifier
        /// </summary>
        [DataMember]
        [StringLength(1, 30)]
        [DataElement("310", typeof(X12_AN))]
        [Pos(23)]
        public string LocationIdentifier_23 { get; set; }
    }
[Segment("SPO")]
    public class SPO : I_SPO
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// Purchase Order Number
        /// </summary>
        [DataMember]
        [Required]
        [StringLength(1, 22)]
        [DataElement("324", typeof(X12_AN))]
        [Pos(1)]
        public string PurchaseOrderNumber_01 { get; set; }
        /// <summary>
        /// Reference Identification
        /// </summary>
        [DataMember]
        [StringLength(1, 30)]
        [DataElement("127", typeof(X12_AN))]
        [Pos(2)]
        public string ReferenceIdentification_02 { get; set; }
        /// <summary>
        /// Unit or Basis for Measurement Code
        /// </summary>
        [DataMember]
        [Paired(4)]
        [DataElement("355", typeof(X12_ID_355))]
        [Pos(3)]
        public string UnitorBasisforMeasurementCode_03 { get; set; }
        /// <summary>
        /// Quantity
        /// </summary>
        [DataMember]
        [StringLength(1, 15)]
        [DataElement("380", typeof(X12_R))]
        [Pos(4)]
        public string Quantity_04 { get; set; }
        /// <summary>
        /// Weight Unit Code
        /// </summary>
        [DataMember]
        [Paired(6)]
        [DataElement("188", typeof(X12_ID_188))]
        [Pos(5)]
        public string WeightUnitCode_05 { get; set; }
        /// <summary>
        /// Weight
        /// </summary>
        [DataMember]
        [StringLength(1, 10)]
        [DataElement("81", typeof(X12_R))]
        [Pos(6)]
        public string Weight_06 { get; set; }
        /// <summary>
        /// Application Error Condition Code
        /// </summary>
        [DataMember]
        [DataElement("647", typeof(X12_ID_647))]
        [Pos(7)]
        public string ApplicationErrorConditionCode_07 { get; set; }
        /// <summary>
        /// Reference Identification
        /// </summary>
        [DataMember]
        [StringLength(1, 30)]
        [DataElement("127", typeof(X12_AN))]
        [Pos(8)]
        public string ReferenceIdentification_08 { get; set; }
    }
[Segment("V9")]
    public class V9 : I_V9
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// Event Code
        /// </summary>
        [DataMember]
        [Required]
        [DataElement("304", typeof(X12_ID_304))]
        [Pos(1)]
        public string EventCode_01 { get; set; }
        /// <summary>
        /// Event
        /// </summary>
        [DataMember]
        [StringLength(1, 25)]
        [DataElement("106", typeof(X12_AN))]
        [Pos(2)]
        public string Event_02 { get; set; }
        /// <summary>
        /// Date
        /// </summary>
        [DataMember]
        [StringLength(8, 8)]
        [DataElement("373", typeof(X12_DT))]
        [Pos(3)]
        public string Date_03 { get; set; }
        /// <summary>
        /// Time
        /// </summary>
        [DataMember]
        [StringLength(4, 8)]
        [DataElement("337", typeof(X12_TM))]
        [Pos(4)]
        public string Time_04 { get; set; }
        /// <summary>
        /// City Name
        /// </summary>
        [DataMember]
        [StringLength(2, 30)]
        [DataElement("19", typeof(X12_AN))]
        [Pos(5)]
        public string CityName_05 { get; set; }
        /// <summary>
        /// State or Province Code
        /// </summary>
        [DataMember]
        [StringLength(2, 2)]
        [DataElement("156", typeof(X12_AN))]
        [Pos(6)]
        public string StateorProvinceCode_06 { get; set; }
        /// <summary>
        /// Country Code
        /// </summary>
        [DataMember]
        [StringLength(2, 3)]
        [DataElement("26", typeof(X12_AN))]
        [Pos(7)]
        public string CountryCode_07 { get; set; }
        /// <summary>
        /// Status Reason Code
        /// </summary>
        [DataMember]
        [DataElement("641", typeof(X12_ID_641))]
        [Pos(8)]
        public string StatusReasonCode_08 { get; set; }
        /// <summary>
        /// Standard Point Location Code
        /// </summary>
        [DataMember]
        [StringLength(6, 9)]
        [DataElement("154", typeof(X12_AN))]
        [Pos(9)]
        public string StandardPointLocationCode_09 { get; set; }
        /// <summary>
        /// Quantity
        /// </summary>
        [DataMember]
        [Paired(11)]
        [StringLength(1, 15)]
        [DataElement("380", typeof(X12_R))]
        [Pos(10)]
        public string Quantity_10 { get; set; }
        /// <summary>
        /// Train Delay Reason Code
        /// </summary>
        [DataMember]
        [StringLength(2, 2)]
        [DataElement("1274", typeof(X12_AN))]
        [Pos(11)]
        public string TrainDelayReasonCode_11 { get; set; }
        /// <summary>
        /// Free-Form Message
        /// </summary>
        [DataMember]
        [StringLength(1, 30)]
        [DataElement("61", typeof(X12_AN))]
        [Pos(12)]
        public string FreeFormMessage_12 { get; set; }
        /// <summary>
        /// Time Code
        /// </summary>
        [DataMember]
        [Conditional(4)]
        [DataElement("623", typeof(X12_ID_623))]
        [Pos(13)]
        public string TimeCode_13 { get; set; }
        /// <summary>
        /// Quantity
        /// </summary>
        [DataMember]
        [StringLength(1, 15)]
        [DataElement("380", typeof(X12_R))]
        [Pos(14)]
        public string Quantity_14 { get; set; }
        /// <summary>
        /// Standard Point Location Code
        /// </summary>
        [DataMember]
        [Conditional(9)]
        [StringLength(6, 9)]
        [DataElement("154", typeof(X12_AN))]
        [Pos(15)]
        public string StandardPointLocationCode_15 { get; set; }
        /// <summary>
        /// Total Equipment
        /// </summary>
        [DataMember]
        [StringLength(1, 3)]
        [DataElement("86", typeof(X12_N0))]
        [Pos(16)]
        public string TotalEquipment_16 { get; set; }
        /// <summary>
        /// Total Equipment
        /// </summary>
        [DataMember]
        [StringLength(1, 3)]
        [DataElement("86", typeof(X12_N0))]
        [Pos(17)]
        public string TotalEquipment_17 { get; set; }
        /// <summary>
        /// Total Equipment
        /// </summary>
        [DataMember]
        [StringLength(1, 3)]
        [DataElement("86", typeof(X12_N0))]
        [Pos(18)]
        public string TotalEquipment_18 { get; set; }
        /// <summary>
        /// Weight
        /// </summary>
        [DataMember]
        [StringLength(1, 10)]
        [DataElement("81", typeof(X12_R))]
        [Pos(19)]
        public string Weight_19 { get; set; }
        /// <summary>
        /// Length
        /// </summary>
        [DataMember]
        [StringLength(1, 8)]
        [DataElement("82", typeof(X12_R))]
        [Pos(20)]
        public string Length_20 { get; set; }
    }
[Composite("C001")]
    public class C001 : I_C001
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// Unit or Basis for Measurement Code
        /// </summary>
        [DataMember]
        [Required]
        [DataElement("355", typeof(X12_ID_355))]
        [Pos(1)]
        public string UnitorBasisforMeasurementCode_01 { get; set; }
        /// <summary>
        /// Exponent
        /// </summary>
        [DataMember]
        [StringLength(1, 15)]
        [DataElement("1018", typeof(X12_R))]
        [Pos(2)]
        public string Exponent_02 { get; set; }
        /// <summary>
        /// Multiplier
        /// </summary>
        [DataMember]
        [StringLength(1, 10)]
        [DataElement("649", typeof(X12_R))]
        [Pos(3)]
        public string Multiplier_03 { get; set; }
        /// <summary>
        /// Unit or Basis for Measurement Code
        /// </summary>
        [DataMember]
        [DataElement("355", typeof(X12_ID_355))]
        [Pos(4)]
        public string UnitorBasisforMeasurementCode_04 { get; set; }
        /// <summary>
        /// Exponent
        /// </summary>
        [DataMember]
        [StringLength(1, 15)]
        [DataElement("1018", typeof(X12_R))]
        [Pos(5)]
        public string Exponent_05 { get; set; }
        /// <summary>
        /// Multiplier
        /// </summary>
        [DataMember]
        [StringLength(1, 10)]
        [DataElement("649", typeof(X12_R))]
        [Pos(6)]
        public string Multiplier_06 { get; set; }
        /// <summary>
        /// Unit or Basis for Measurement Code
        /// </summary>
        [DataMember]
        [DataElement("355", typeof(X12_ID_355))]
        [Pos(7)]
        public string UnitorBasisforMeasurementCode_07 { get; set; }
        /// <summary>
        /// Exponent
        /// </summary>
        [DataMember]
        [StringLength(1, 15)]
        [DataElement("1018", typeof(X12_R))]
        [Pos(8)]
        public string Exponent_08 { get; set; }
        /// <summary>
        /// Multiplier
        /// </summary>
        [DataMember]
        [StringLength(1, 10)]
        [DataElement("649", typeof(X12_R))]
        [Pos(9)]
        public string Multiplier_09 { get; set; }
        /// <summary>
        /// Unit or Basis for Measurement Code
        /// </summary>
        [DataMember]
        [DataElement("355", typeof(X12_ID_355))]
        [Pos(10)]
        public string UnitorBasisforMeasurementCode_10 { get; set; }
        /// <summary>
        /// Exponent
        /// </summary>
        [DataMember]
        [StringLength(1, 15)]
        [DataElement("1018", typeof(X12_R))]
        [Pos(11)]
        public string Exponent_11 { get; set; }
        /// <summary>
        /// Multiplier
        /// </summary>
        [DataMember]
        [StringLength(1, 10)]
        [DataElement("649", typeof(X12_R))]
        [Pos(12)]
        public string Multiplier_12 { get; set; }
        /// <summary>
        /// Unit or Basis for Measurement Code
        /// </summary>
        [DataMember]
        [DataElement("355", typeof(X12_ID_355))]
        [Pos(13)]
        public string UnitorBasisforMeasurementCode_13 { get; set; }
        /// <summary>
        /// Exponent
        /// </summary>
        [DataMember]
        [StringLength(1, 15)]
        [DataElement("1018", typeof(X12_R))]
        [Pos(14)]
        public string Exponent_14 { get; set; }
        /// <summary>
        /// Multiplier
        /// </summary>
        [DataMember]
        [StringLength(1, 10)]
        [DataElement("649", typeof(X12_R))]
        [Pos(15)]
        public string Multiplier_15 { get; set; }
    }
[Composite("C030")]
    public class C030 : I_C030
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// Element Position in Segment
        /// </summary>
        [DataMember]
        [Required]
        [StringLength(1, 2)]
        [DataElement("722", typeof(X12_N0))]
        [Pos(1)]
        public string ElementPositioninSegment_01 { get; set; }
        /// <summary>
        /// Component Data Element Position in Composite
        /// </summary>
        [DataMember]
        [StringLength(1, 2)]
        [DataElement("1528", typeof(X12_N0))]
        [Pos(2)]
        public string ComponentDataElementPositioninComposite_02 { get; set; }
    }
[Composite("C040")]
    public class C040 : I_C040
    {
        
        [XmlIgnore]
        [IgnoreDataMember]
        public int Id { get; set; }
        /// <summary>
        /// Reference Identification Qualifier
        /// </summary>
        [DataMember]
        [Required]
        [DataElement("128", typeof(X12_ID_128))]
        [Pos(1)]
        public string ReferenceIdentificationQualifier_01 { get; set; }
        /// <summary>
        /// Reference Identification
        /// </summary>
        [DataMember]
        [Required]
        [StringLength(1, 30)]
        [DataElement("127", typeof(X12_AN))]
        [Pos(2)]
        public string ReferenceIdentification_02 { get; set; }
        /// <summary>
        /// Reference Identification Qualifier
        /// </summary>
        [DataMember]
        [Paired(4)]
        [DataElement("128", typeof(X12_ID_128))]
        [Pos(3)]
        public string ReferenceIdentificationQualifier_03 { get; set; }
        /// <summary>
        /// Reference Identification
        /// </summary>
        [DataMember]
        [StringLength(1, 30)]
        [DataElement("127", typeof(X12_AN))]
        [Pos(4)]
        public string ReferenceIdentification_04 { get; set; }
        /// <summary>
        /// Reference Identification Qualifier
        /// </summary>
        [DataMember]
        [Paired(6)]
        [DataElement("128", typeof(X12_ID_128))]
        [Pos(5)]
        public string ReferenceIdentificationQualifier_05 { get; set; }
        /// <summary>
        /// Reference Identification
        /// </summary>
        [DataMember]
        [StringLength(1, 30)]
        [DataElement("127", typeof(X12_AN))]
        [Pos(6)]
        public string ReferenceIdentification_06 { get; set; }
    }
